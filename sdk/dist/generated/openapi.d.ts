/** Every named schema of the gateway's OpenAPI document. */
export interface Schemas {
    Alert: {
        id: string;
        client_id: string;
        type: "rate_limit_approaching" | "high_error_rate" | "failed_authentication" | "unusual_usage";
        message: string;
        triggered_at: string | null;
        details: Record<string, unknown>;
    };
    AlertList: {
        alerts: Schemas["Alert"][];
        next_cursor: string | null;
    };
    AuditEntry: {
        id: string;
        at: string | null;
        actor: string;
        action: string;
        target_id: string;
        ip: string | null;
        request_id: string | null;
        details: Record<string, unknown>;
    };
    AuditList: {
        entries: Schemas["AuditEntry"][];
        next_cursor: string | null;
    };
    Client: {
        id: string;
        name: string;
        environment: "production" | "sandbox";
        rate_limit: number;
        retention_days: number;
        status: "active" | "inactive" | "revoked";
        secret_last_four: string;
        created_at: string | null;
        updated_at: string | null;
        last_used_at: string | null;
        secret_rotated_at: string | null;
        previous_secret_expires_at: string | null;
        revoked_at: string | null;
    };
    ClientEnvelope: {
        client: Schemas["Client"];
    };
    ClientList: {
        clients: Schemas["Client"][];
        next_cursor: string | null;
    };
    ClientWithSecret: {
        client: Schemas["Client"];
        client_secret: string;
    };
    CreateClient: {
        name: string;
        environment: "production" | "sandbox";
        /** Requests per minute (production 1..1000, default 100; sandbox fixed at 10). */
        rate_limit?: number;
        /** Days usage, alerts and audit entries are kept (production 7..365, default 90; sandbox 1..7, default 7). */
        retention_days?: number;
    };
    CreateWorkflow: {
        client_id: string;
        /** The client's current secret (proves ownership; never stored or returned). */
        client_secret: string;
        name: string;
        /** Browser origins allowed to use this workflow. Empty: any origin. */
        allowed_origins?: string[];
    };
    Error: {
        error: {
            code: string;
            message: string;
            details?: {
                field: string;
                message: string;
            }[];
            retry_after?: number;
            request_id?: string;
        };
    };
    PatchClient: {
        name?: string;
        /** Requests per minute (production 1..1000, default 100; sandbox fixed at 10). */
        rate_limit?: number;
        /** Days usage, alerts and audit entries are kept (production 7..365, default 90; sandbox 1..7, default 7). */
        retention_days?: number;
        /** Revoking has its own call. */
        status?: "active" | "inactive";
    };
    PatchWorkflow: {
        name?: string;
        status?: "active" | "inactive";
        /** Browser origins allowed to use this workflow. Empty: any origin. */
        allowed_origins?: string[];
        /** The client's current secret: re-mints the workflow's refresh token (after a secret regeneration). */
        client_secret?: string;
    };
    RegenerateSecret: {
        /** How long the replaced secret (and workflows minted from it) keeps working. 0..604800, default 0. */
        grace_period_seconds?: number;
    };
    RegeneratedSecret: {
        client: Schemas["Client"];
        client_secret: string;
        previous_secret_expires_at: string | null;
    };
    Usage: {
        client_id: string;
        from: string | null;
        to: string | null;
        total_requests: number;
        successful_requests: number;
        /** successful / total; null with no requests. */
        success_rate: number | null;
        /** Over admitted requests; null with none. */
        average_response_ms: number | null;
        rate_limited_requests: number;
        failed_authentications: number;
        units_consumed: number;
        by_workflow: {
            workflow_id: string;
            requests: number;
            successful_requests: number;
        }[];
        /** Error code (or upstream_4xx / upstream_5xx) to count. */
        errors: Record<string, number>;
        daily: {
            date: string;
            requests: number;
            successful_requests: number;
            units_consumed: number;
        }[];
    };
    Workflow: {
        id: string;
        client_id: string;
        name: string;
        status: "active" | "inactive";
        allowed_origins: string[];
        token_issued_at: string | null;
        created_at: string | null;
        updated_at: string | null;
        last_used_at: string | null;
    };
    WorkflowEnvelope: {
        workflow: Schemas["Workflow"];
    };
    WorkflowList: {
        workflows: Schemas["Workflow"][];
        next_cursor: string | null;
    };
}
/** Every call of the gateway's OpenAPI document: its query, JSON body and 2xx answer. */
export interface Operations {
    /** Liveness check (no credentials) */
    "GET /healthz": {
        query: never;
        body: never;
        response: {
            status: "ok";
        };
    };
    /** List API clients, newest first */
    "GET /admin/clients": {
        query: {
            status?: "active" | "inactive" | "revoked";
            environment?: "production" | "sandbox";
            /** Page size (1..100). */
            limit?: number;
            /** next_cursor of the previous page. */
            cursor?: string;
        };
        body: never;
        response: Schemas["ClientList"];
    };
    /** Create an API client */
    "POST /admin/clients": {
        query: never;
        body: Schemas["CreateClient"];
        response: Schemas["ClientWithSecret"];
    };
    /** Get an API client */
    "GET /admin/clients/{client_id}": {
        query: never;
        body: never;
        response: Schemas["ClientEnvelope"];
    };
    /** Edit a client's name, rate limit, retention or status (active/inactive) */
    "PATCH /admin/clients/{client_id}": {
        query: never;
        body: Schemas["PatchClient"];
        response: Schemas["ClientEnvelope"];
    };
    /** Regenerate a client's secret */
    "POST /admin/clients/{client_id}/regenerate-secret": {
        query: never;
        body: Schemas["RegenerateSecret"];
        response: Schemas["RegeneratedSecret"];
    };
    /** Revoke a client, permanently */
    "POST /admin/clients/{client_id}/revoke": {
        query: never;
        body: never;
        response: Schemas["ClientEnvelope"];
    };
    /** List workflows, newest first */
    "GET /admin/workflows": {
        query: {
            client_id?: string;
            /** Page size (1..100). */
            limit?: number;
            /** next_cursor of the previous page. */
            cursor?: string;
        };
        body: never;
        response: Schemas["WorkflowList"];
    };
    /** Create a workflow (mints its refresh token from the client's current secret) */
    "POST /admin/workflows": {
        query: never;
        body: Schemas["CreateWorkflow"];
        response: Schemas["WorkflowEnvelope"];
    };
    /** Get a workflow */
    "GET /admin/workflows/{workflow_id}": {
        query: never;
        body: never;
        response: Schemas["WorkflowEnvelope"];
    };
    /** Edit a workflow's name, status or allowed origins, or re-key it */
    "PATCH /admin/workflows/{workflow_id}": {
        query: never;
        body: Schemas["PatchWorkflow"];
        response: Schemas["WorkflowEnvelope"];
    };
    /** A client's usage statistics */
    "GET /admin/clients/{client_id}/usage": {
        query: {
            /** Days back from now (1..365, default 30). */
            days?: number;
        };
        body: never;
        response: Schemas["Usage"];
    };
    /** Alerts, newest first */
    "GET /admin/alerts": {
        query: {
            client_id?: string;
            type?: "rate_limit_approaching" | "high_error_rate" | "failed_authentication" | "unusual_usage";
            /** Page size (1..100). */
            limit?: number;
            /** next_cursor of the previous page. */
            cursor?: string;
        };
        body: never;
        response: Schemas["AlertList"];
    };
    /** Audit log of management changes, newest first */
    "GET /admin/audit-log": {
        query: {
            target_id?: string;
            /** Page size (1..100). */
            limit?: number;
            /** next_cursor of the previous page. */
            cursor?: string;
        };
        body: never;
        response: Schemas["AuditList"];
    };
}
