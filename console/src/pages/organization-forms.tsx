import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type Organization } from "../gateway";
import { Dialog } from "../ui/dialog";
import { FormActions } from "../ui/form-actions";
import { nameField } from "./choices";
import { Field } from "../ui/field";
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

const PLAN_FIELDS: { key: "maxRateLimit" | "maxClients"; label: string; name: string; max: number; hint: string }[] = [
  {
    key: "maxRateLimit",
    label: "Max Rate Limit",
    name: "max_rate_limit",
    max: MAX_RATE_LIMIT_CEILING,
    hint: `Highest rate limit of the organization's production clients, in requests per minute (1 to ${MAX_RATE_LIMIT_CEILING}).`,
  },
  {
    key: "maxClients",
    label: "Max Clients",
    name: "max_clients",
    max: MAX_CLIENTS_CEILING,
    hint: "Most clients that are not revoked. Lowering a plan changes no existing client.",
  },
];

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
  const set = (key: keyof PlanFields) => (value: string) => setFields((f) => ({ ...f, [key]: value }));
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
        <Field {...nameField("Name")} value={fields.name} onValue={set("name")} />
        {PLAN_FIELDS.map((f) => (
          <Field
            label={f.label}
            name={f.name}
            kind="number"
            min={1}
            max={f.max}
            required
            value={fields[f.key]}
            onValue={set(f.key)}
            hint={f.hint}
          />
        ))}
        <ErrorMessage error={error} />
        <FormActions submitLabel={props.submitLabel} busy={busy} onCancel={props.onClose} />
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
        const { organization } = await gateway().organizations.create(body(fields));
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
        const { organization } = await gateway().organizations.update(o.id, body(fields));
        props.onSaved(organization);
      }}
      onClose={props.onClose}
    />
  );
}
