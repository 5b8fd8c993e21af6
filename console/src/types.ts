export interface Client {
  id: string;
  name: string;
  environment: "production" | "sandbox";
  rate_limit: number;
  retention_days: number;
  status: "active" | "inactive" | "revoked";
  organization_id: string;
  secret_last_four: string;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  secret_rotated_at: string | null;
  previous_secret_expires_at: string | null;
  revoked_at: string | null;
}

export interface Workflow {
  id: string;
  client_id: string;
  name: string;
  status: "active" | "inactive";
  allowed_origins: string[];
  token_issued_at: string | null;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
}

export interface Usage {
  client_id: string;
  from: string;
  to: string;
  total_requests: number;
  successful_requests: number;
  success_rate: number | null;
  average_response_ms: number | null;
  rate_limited_requests: number;
  failed_authentications: number;
  units_consumed: number;
  by_workflow: { workflow_id: string | null; requests: number; successful_requests: number }[];
  errors: Record<string, number>;
  daily: { date: string; requests: number; successful_requests: number; units_consumed: number }[];
}

export interface Alert {
  id: string;
  client_id: string;
  type: string;
  message: string;
  triggered_at: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target_id: string | null;
  organization_id: string | null;
  ip: string | null;
}

export interface AdminToken {
  id: string;
  name: string;
  permissions: string[];
  client_ids: string[] | null;
  organization_id: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  secret_last_four: string;
}

export interface Me {
  actor: string;
  name: string;
  permissions: string[];
  client_ids: string[] | null;
  organization_id: string | null;
  organization: Organization | null;
  expires_at: string | null;
}

export interface Organization {
  id: string;
  name: string;
  max_rate_limit: number;
  max_clients: number;
  client_count: number;
  created_at: string;
  updated_at: string;
}

interface UsageSums {
  total_requests: number;
  successful_requests: number;
  units_consumed: number;
  rate_limited_requests: number;
  failed_authentications: number;
}

/** `GET /admin/usage`: every client the token sees (or one organization's), summed. */
export interface UsageOverview extends UsageSums {
  from: string;
  to: string;
  as_of: string;
  clients: ({
    client_id: string;
    name: string;
    organization_id: string;
    environment: "production" | "sandbox";
  } & UsageSums)[];
  daily: Usage["daily"];
}
