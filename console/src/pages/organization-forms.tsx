import { useState } from "hono/jsx/dom";
import { api, messageOf } from "../api";
import type { Organization } from "../types";
import { Dialog } from "../ui/dialog";
import { ErrorMessage } from "../ui/status";

// The API's bounds and defaults (src/domain/organization-rules.ts), offered as the inputs' limits
// and first values. Copied, not imported: that module's imports reach Worker-only code the
// console's type check cannot read. The API checks them anyway and its message is shown.
const DEFAULT_MAX_RATE_LIMIT = 100;
const DEFAULT_MAX_CLIENTS = 50;
const MAX_RATE_LIMIT_CEILING = 1000;
const MAX_CLIENTS_CEILING = 10_000;

interface PlanFields {
  name: string;
  maxRateLimit: string;
  maxClients: string;
}

/** Name and plan: the fields `Create Organization` and `Edit` share. */
function OrganizationForm(props: {
  title: string;
  submitLabel: string;
  initial: PlanFields;
  onSubmit: (fields: PlanFields) => Promise<void>;
  onClose: () => void;
}) {
  const [fields, setFields] = useState(props.initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof PlanFields) => (e: InputEvent) =>
    setFields((f) => ({ ...f, [key]: (e.target as HTMLInputElement).value }));
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(fields);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        <label>
          Name
          <input name="name" required maxLength={200} autocomplete="off" value={fields.name} onInput={set("name")} />
        </label>
        <label>
          Max Rate Limit
          <input
            name="max_rate_limit"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_RATE_LIMIT_CEILING}
            required
            aria-describedby="max-rate-limit-hint"
            value={fields.maxRateLimit}
            onInput={set("maxRateLimit")}
          />
        </label>
        <p id="max-rate-limit-hint" class="hint">
          Highest rate limit of the organization's production clients, in requests per minute (1 to{" "}
          {MAX_RATE_LIMIT_CEILING}).
        </p>
        <label>
          Max Clients
          <input
            name="max_clients"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_CLIENTS_CEILING}
            required
            aria-describedby="max-clients-hint"
            value={fields.maxClients}
            onInput={set("maxClients")}
          />
        </label>
        <p id="max-clients-hint" class="hint">
          Most clients that are not revoked. Lowering a plan changes no existing client.
        </p>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {props.submitLabel}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const body = (f: PlanFields) => ({
  name: f.name,
  max_rate_limit: Number(f.maxRateLimit),
  max_clients: Number(f.maxClients),
});

export function CreateOrganization(props: { onCreated: (o: Organization) => void; onClose: () => void }) {
  return (
    <OrganizationForm
      title="Create Organization"
      submitLabel="Create Organization"
      initial={{ name: "", maxRateLimit: String(DEFAULT_MAX_RATE_LIMIT), maxClients: String(DEFAULT_MAX_CLIENTS) }}
      onSubmit={async (fields) => {
        const { organization } = await api<{ organization: Organization }>("/admin/organizations", {
          body: body(fields),
        });
        props.onCreated(organization);
      }}
      onClose={props.onClose}
    />
  );
}

export function EditOrganization(props: {
  organization: Organization;
  onSaved: (o: Organization) => void;
  onClose: () => void;
}) {
  const o = props.organization;
  return (
    <OrganizationForm
      title={`Edit ${o.name}`}
      submitLabel="Save"
      initial={{ name: o.name, maxRateLimit: String(o.max_rate_limit), maxClients: String(o.max_clients) }}
      onSubmit={async (fields) => {
        const { organization } = await api<{ organization: Organization }>(
          `/admin/organizations/${encodeURIComponent(o.id)}`,
          { method: "PATCH", body: body(fields) },
        );
        props.onSaved(organization);
      }}
      onClose={props.onClose}
    />
  );
}
