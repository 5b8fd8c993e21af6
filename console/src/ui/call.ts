import { useState } from "hono/jsx/dom";
import { messageOf } from "../gateway";
import { useMounted } from "./mounted";

/**
 * A call a form, dialog or row action makes to the API: `busy` while it runs (its button disabled
 * meanwhile) and, when it fails, `error`, the API's human message. A call that closes its dialog
 * sets no state afterwards (see useMounted).
 */
export function useCall() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useMounted();
  const run = async (call: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
    } catch (err) {
      if (mounted.current) setError(messageOf(err));
    } finally {
      if (mounted.current) setBusy(false);
    }
  };
  return { busy, error, run };
}
