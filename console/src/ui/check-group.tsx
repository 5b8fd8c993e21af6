import type { Child } from "hono/jsx";

/**
 * A set of checkboxes under one legend, each named by its label: the values ticked, in the
 * options' order whatever the order they were ticked in.
 */
export function CheckGroup<V extends string>(props: {
  legend: string;
  options: { value: V; label: string }[];
  selected: V[];
  onChange: (selected: V[]) => void;
  /** Every option is chosen by a choice above the boxes (the children): all shown ticked, fixed. */
  allChosen?: boolean;
  /** Above the boxes (an all-of-them choice, a hint). */
  children?: Child;
}) {
  const toggle = (value: V, on: boolean) =>
    props.onChange(props.options.map((o) => o.value).filter((v) => (v === value ? on : props.selected.includes(v))));
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.children}
      <div class="checks">
        {props.options.map((o) => (
          <label class="check">
            <input
              type="checkbox"
              value={o.value}
              disabled={props.allChosen}
              checked={props.allChosen || props.selected.includes(o.value)}
              onChange={(e: Event) => toggle(o.value, (e.target as HTMLInputElement).checked)}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
