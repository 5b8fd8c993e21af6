import { useState } from "hono/jsx/dom";

/** Copies a value to the clipboard and says whether it worked (in a live region). */
export function CopyButton(props: { label: string; value: string }) {
  const [note, setNote] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setNote("Copied");
    } catch {
      setNote("Copy failed: select the text and copy it");
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={copy}>
        {props.label}
      </button>
      <span class="muted" role="status">
        {note}
      </span>
    </span>
  );
}
