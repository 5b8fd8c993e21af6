import { useState } from "hono/jsx/dom";
import type { Child } from "hono/jsx";
import { messageOf } from "../gateway";
import { useMounted } from "./mounted";
import { ErrorMessage } from "./status";

/**
 * A link to a file the management API answers (an export). The API wants the bearer token, which
 * a plain link cannot send, so a click fetches the file with it and saves the Blob through a
 * temporary `<a download>` on an object URL.
 *
 * That works under the console's CSP: the fetch is same-origin (`connect-src 'self'`), and saving a
 * blob: URL is a download, which no CSP directive governs (CSP 3 has no navigation directive:
 * `navigate-to` was dropped and never shipped), unlike loading one as a script, image or frame.
 */
export function DownloadLink(props: {
  /** The link's address (what a browser without the console's script would open). */
  href: string;
  /** Reads the file through the API: its text and the name the gateway gives it. */
  load: () => Promise<{ text: string; type: string; filename: string | null }>;
  filename: string;
  children?: Child;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // No state set once the page is gone; the file is still saved.
  const mounted = useMounted();
  const download = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const file = await props.load();
      const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
      const save = document.createElement("a");
      save.href = url;
      save.download = file.filename ?? props.filename;
      document.body.append(save);
      save.click();
      save.remove();
      // The browser has the Blob once the download starts; the URL is only freed after a while.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      if (mounted.current) setError(messageOf(err));
    } finally {
      if (mounted.current) setBusy(false);
    }
  };
  return (
    <>
      <a href={props.href} download={props.filename} aria-busy={busy ? "true" : undefined} onClick={download}>
        {props.children}
      </a>
      <ErrorMessage error={error} />
    </>
  );
}
