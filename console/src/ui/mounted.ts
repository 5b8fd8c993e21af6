import { useEffect, useRef } from "hono/jsx/dom";

/**
 * Whether the component is still on the page: a call that ends after it is gone sets no state
 * (hono/jsx re-renders an unmounted component whose state is set, putting it back on screen).
 */
export function useMounted(): { readonly current: boolean } {
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  return mounted;
}
