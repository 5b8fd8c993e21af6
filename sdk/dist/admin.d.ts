import type { RetryOptions } from "./retry.js";
import { type RuntimeOptions } from "./runtime.js";
import type { Body, Query } from "./types.js";
export interface NafsiAdminOptions extends RetryOptions, RuntimeOptions {
    baseUrl: string;
    /** ADMIN_TOKEN or an admin token's secret (`nafsi_admin_...`). */
    token: string;
}
type ListKey = "GET /admin/clients" | "GET /admin/workflows" | "GET /admin/alerts" | "GET /admin/audit-log" | "GET /admin/tokens";
/** The list's query without the cursor, which the iterator manages. */
type ListQuery<K extends ListKey> = Omit<NonNullable<Query<K>>, "cursor">;
/**
 * The management API, one method per call, each resolving with the answer's body as the API gives
 * it. `list` methods are async iterators over every item of every page (following next_cursor).
 */
export declare class NafsiAdmin {
    #private;
    constructor(options: NafsiAdminOptions);
    readonly clients: {
        create: (body: Body<"POST /admin/clients">) => Promise<{
            client: import("./types.js").Schemas["Client"];
            client_secret: string;
        }>;
        list: (query?: ListQuery<"GET /admin/clients">) => AsyncGenerator<{
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
        }, void, undefined>;
        get: (clientId: string) => Promise<{
            client: import("./types.js").Schemas["Client"];
        }>;
        update: (clientId: string, body: Body<"PATCH /admin/clients/{client_id}">) => Promise<{
            client: import("./types.js").Schemas["Client"];
        }>;
        regenerateSecret: (clientId: string, body?: Body<"POST /admin/clients/{client_id}/regenerate-secret">) => Promise<{
            client: import("./types.js").Schemas["Client"];
            client_secret: string;
            previous_secret_expires_at: string | null;
        }>;
        revoke: (clientId: string) => Promise<{
            client: import("./types.js").Schemas["Client"];
        }>;
    };
    readonly workflows: {
        create: (body: Body<"POST /admin/workflows">) => Promise<{
            workflow: import("./types.js").Schemas["Workflow"];
        }>;
        list: (query?: ListQuery<"GET /admin/workflows">) => AsyncGenerator<{
            id: string;
            client_id: string;
            name: string;
            status: "active" | "inactive";
            allowed_origins: string[];
            token_issued_at: string | null;
            created_at: string | null;
            updated_at: string | null;
            last_used_at: string | null;
        }, void, undefined>;
        get: (workflowId: string) => Promise<{
            workflow: import("./types.js").Schemas["Workflow"];
        }>;
        update: (workflowId: string, body: Body<"PATCH /admin/workflows/{workflow_id}">) => Promise<{
            workflow: import("./types.js").Schemas["Workflow"];
        }>;
    };
    readonly alerts: {
        list: (query?: ListQuery<"GET /admin/alerts">) => AsyncGenerator<{
            id: string;
            client_id: string;
            type: "rate_limit_approaching" | "high_error_rate" | "failed_authentication" | "unusual_usage";
            message: string;
            triggered_at: string | null;
            details: Record<string, unknown>;
        }, void, undefined>;
    };
    readonly auditLog: {
        list: (query?: ListQuery<"GET /admin/audit-log">) => AsyncGenerator<{
            id: string;
            at: string | null;
            actor: string;
            action: string;
            target_id: string;
            ip: string | null;
            request_id: string | null;
            details: Record<string, unknown>;
        }, void, undefined>;
    };
    readonly tokens: {
        create: (body: Body<"POST /admin/tokens">) => Promise<{
            token: import("./types.js").AdminTokenFallback;
            secret: string;
        }>;
        list: (query?: ListQuery<"GET /admin/tokens">) => AsyncGenerator<import("./types.js").AdminTokenFallback, void, undefined>;
        get: (tokenId: string) => Promise<{
            token: import("./types.js").AdminTokenFallback;
        }>;
        revoke: (tokenId: string) => Promise<{
            token: import("./types.js").AdminTokenFallback;
        }>;
    };
    usage(clientId: string, query?: NonNullable<Query<"GET /admin/clients/{client_id}/usage">>): Promise<{
        client_id: string;
        from: string | null;
        to: string | null;
        total_requests: number;
        successful_requests: number;
        success_rate: number | null;
        average_response_ms: number | null;
        rate_limited_requests: number;
        failed_authentications: number;
        units_consumed: number;
        by_workflow: {
            workflow_id: string;
            requests: number;
            successful_requests: number;
        }[];
        errors: Record<string, number>;
        daily: {
            date: string;
            requests: number;
            successful_requests: number;
            units_consumed: number;
        }[];
    }>;
    me(): Promise<{
        actor: string;
        permissions: string[];
        client_ids: string[] | null;
        expires_at: string | null;
    }>;
}
export {};
