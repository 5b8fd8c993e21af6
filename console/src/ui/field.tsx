import { useId } from "hono/jsx/dom";
import type { Child } from "hono/jsx";

interface Common {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  /** A line under the field, read out with it (aria-describedby). */
  hint?: Child;
  required?: boolean;
  disabled?: boolean;
}

type Control =
  | { kind?: "text" | "password"; maxLength?: number; autocomplete?: string; spellcheck?: boolean }
  | {
      kind: "number";
      min: number;
      max: number;
      /** A decimal step (e.g. 0.1); whole numbers by default. */ step?: number;
    }
  | { kind: "textarea"; rows: number }
  | { kind: "select"; options: { value: string; label: string }[] };

export type FieldProps = Common & Control;

const valueOf = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;

/**
 * One labelled form field: the label wraps its control (so the control's accessible name is the
 * label), and an optional hint under it is tied to the control. Every form in the console is
 * built from these.
 */
export function Field(props: FieldProps) {
  const hintId = useId();
  const described = props.hint ? hintId : undefined;
  const common = {
    name: props.name,
    required: props.required,
    disabled: props.disabled,
    "aria-describedby": described,
  };
  let control: Child;
  if (props.kind === "select") {
    control = (
      <select {...common} value={props.value} onChange={(e: Event) => props.onValue(valueOf(e))}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (props.kind === "textarea") {
    control = (
      <textarea
        {...common}
        rows={props.rows}
        spellcheck={false}
        value={props.value}
        onInput={(e: Event) => props.onValue(valueOf(e))}
      />
    );
  } else if (props.kind === "number") {
    control = (
      <input
        {...common}
        type="number"
        inputMode={props.step && !Number.isInteger(props.step) ? "decimal" : "numeric"}
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onInput={(e: Event) => props.onValue(valueOf(e))}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type={props.kind ?? "text"}
        maxLength={props.maxLength}
        autocomplete={props.autocomplete ?? "off"}
        spellcheck={props.spellcheck}
        value={props.value}
        onInput={(e: Event) => props.onValue(valueOf(e))}
      />
    );
  }
  return (
    <>
      <label>
        {props.label}
        {control}
      </label>
      {props.hint ? (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      ) : null}
    </>
  );
}

/**
 * One labelled checkbox: the label wraps it, so its accessible name is the label. `describedBy`
 * ties it to a line of text elsewhere (e.g. under the legend it stands in).
 */
export const Check = (props: {
  label: string;
  name: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  describedBy?: string;
}) => (
  <label class="check">
    <input
      type="checkbox"
      name={props.name}
      checked={props.checked}
      aria-describedby={props.describedBy}
      onChange={(e: Event) => props.onChecked((e.target as HTMLInputElement).checked)}
    />
    {props.label}
  </label>
);
