import { useEffect, useId, useRef } from "hono/jsx/dom";
import type { Child } from "hono/jsx";

/**
 * An in-page modal dialog (the native <dialog>: focus stays inside, Escape closes it). It opens
 * when mounted; unmounting closes it and gives focus back to whatever opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children?: Child; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.wide ? "dialog wide" : "dialog"}
      aria-labelledby={titleId}
      onCancel={(event: Event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
