import { useId } from "hono/jsx/dom";
import type { Child } from "hono/jsx";

/**
 * A filter's select beside its label. The label points at the select (`for`) instead of wrapping
 * it, so that the select's accessible name is the label alone, not the label and its options.
 */
export function InlineSelect(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children?: Child;
}) {
  const id = useId();
  return (
    <span class="inline-field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e: Event) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.children}
      </select>
    </span>
  );
}
