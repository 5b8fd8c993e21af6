import { useId, useState } from "hono/jsx/dom";
import { gateway, messageOf, type Body, type Client } from "../gateway";
import { Dialog } from "../ui/dialog";
import { FormActions } from "../ui/form-actions";
import { Check, Field } from "../ui/field";
import { ErrorMessage } from "../ui/status";

type Settings = Client["alert_settings"];
type AlertType = keyof Settings;
type Changes = NonNullable<Body<"PATCH /admin/clients/{client_id}">["alert_settings"]>;

interface Threshold {
  name: string;
  label: string;
  min: number;
  max: number;
  step?: number;
}

// The contract's alert types, in its order, with its ranges: the labels carry the units, the
// ranges only guide the controls (the API checks them and its message is shown).
const TYPES: { type: AlertType; label: string; about: string; thresholds: Threshold[] }[] = [
  {
    type: "rate_limit_approaching",
    label: "Rate limit approaching",
    about: "When one minute's requests reach this share of the client's rate limit.",
    thresholds: [{ name: "threshold_percent", label: "Threshold (% of the rate limit)", min: 50, max: 100 }],
  },
  {
    type: "high_error_rate",
    label: "High error rate",
    about: "When this share of the last 5 minutes' requests fail, once there are enough of them.",
    thresholds: [
      { name: "threshold_percent", label: "Threshold (% of requests failing)", min: 1, max: 100 },
      { name: "min_requests", label: "Minimum requests (in 5 minutes)", min: 1, max: 100_000 },
    ],
  },
  {
    type: "failed_authentication",
    label: "Failed authentication",
    about: "When authentication fails this often within a minute.",
    thresholds: [{ name: "threshold", label: "Threshold (failures per minute)", min: 1, max: 10_000 }],
  },
  {
    type: "unusual_usage",
    label: "Unusual usage",
    about: "When the last hour's requests exceed this many times the usual hourly volume (last 7 days).",
    thresholds: [
      { name: "factor", label: "Factor (× the usual hourly volume)", min: 1.5, max: 100, step: 0.1 },
      { name: "min_requests", label: "Minimum requests (in the hour)", min: 1, max: 100_000 },
    ],
  },
  {
    type: "secret_rotation_due",
    label: "Secret rotation due",
    about: "A daily reminder once the client's secret is past its maximum age.",
    thresholds: [],
  },
];

/** The form's state: per type, ticked or not and each threshold as typed. */
type Form = Record<AlertType, { enabled: boolean; values: Record<string, string> }>;

const fieldsOf = (settings: Settings, type: AlertType) => settings[type] as Record<string, number | boolean>;

function formOf(settings: Settings): Form {
  const form = {} as Form;
  for (const { type, thresholds } of TYPES) {
    const current = fieldsOf(settings, type);
    form[type] = {
      enabled: current.enabled === true,
      values: Object.fromEntries(thresholds.map((t) => [t.name, String(current[t.name])])),
    };
  }
  return form;
}

/**
 * Only what changed, as the PATCH body names it: a type's thresholds are sent only while it is
 * ticked (an unticked type's fields are disabled, so they cannot be what the user meant to change).
 */
function changesOf(settings: Settings, form: Form): Changes {
  const changes: Record<string, Record<string, number | boolean>> = {};
  for (const { type, thresholds } of TYPES) {
    const current = fieldsOf(settings, type);
    const changed: Record<string, number | boolean> = {};
    if (form[type].enabled !== current.enabled) changed.enabled = form[type].enabled;
    if (form[type].enabled) {
      for (const t of thresholds) {
        const typed = (form[type].values[t.name] ?? "").trim();
        // An emptied field is sent as null (not as 0), so the API's message says a number is needed.
        const value = typed === "" ? (null as unknown as number) : Number(typed);
        if (value !== current[t.name]) changed[t.name] = value;
      }
    }
    if (Object.keys(changed).length > 0) changes[type] = changed;
  }
  return changes as Changes;
}

/** `Alert Settings`: per alert type a checkbox and its thresholds, pre-filled; `Save` sends what changed. */
export function AlertSettings(props: { client: Client; onSaved: (client: Client) => void; onClose: () => void }) {
  const { client } = props;
  const [form, setForm] = useState<Form>(() => formOf(client.alert_settings));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const idPrefix = useId();

  const tick = (type: AlertType, enabled: boolean) =>
    setForm((current) => ({ ...current, [type]: { ...current[type], enabled } }));
  const typeIn = (type: AlertType, name: string, value: string) =>
    setForm((current) => ({
      ...current,
      [type]: { ...current[type], values: { ...current[type].values, [name]: value } },
    }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const changes = changesOf(client.alert_settings, form);
    if (Object.keys(changes).length === 0) return props.onClose();
    setBusy(true);
    setError(null);
    try {
      const result = await gateway().clients.update(client.id, { alert_settings: changes });
      props.onSaved(result.client);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Alert Settings for ${client.name}`} onClose={props.onClose} wide>
      {/* noValidate: the API owns the ranges, and its message (naming the field) is what is shown. */}
      <form onSubmit={submit} novalidate>
        <p class="hint">A leaked secret always raises an alert; these are the others.</p>
        {TYPES.map(({ type, label, about, thresholds }) => {
          const aboutId = `${idPrefix}-${type}`;
          const enabled = form[type].enabled;
          return (
            <fieldset class="alert-type">
              <legend>
                <Check
                  label={label}
                  name={`${type}.enabled`}
                  checked={enabled}
                  describedBy={aboutId}
                  onChecked={(checked) => tick(type, checked)}
                />
              </legend>
              <p id={aboutId} class="hint">
                {about}
              </p>
              {thresholds.length > 0 ? (
                <div class="thresholds">
                  {thresholds.map((t) => (
                    <div>
                      <Field
                        label={t.label}
                        name={`${type}.${t.name}`}
                        kind="number"
                        min={t.min}
                        max={t.max}
                        step={t.step}
                        disabled={!enabled}
                        value={form[type].values[t.name] ?? ""}
                        onValue={(value) => typeIn(type, t.name, value)}
                      />
                    </div>
                  ))}
                </div>
              ) : null}
            </fieldset>
          );
        })}
        <ErrorMessage error={error} />
        <FormActions submitLabel="Save" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
