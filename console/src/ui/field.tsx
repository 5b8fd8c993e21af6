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
  | { kind: "number"; min: number; max: number }
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
        inputMode="numeric"
        min={props.min}
        max={props.max}
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
