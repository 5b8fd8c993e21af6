import { useEffect, useState } from "hono/jsx/dom";

/** Hash routes (`#/clients`, `#/clients/<id>/usage`, ...): the Worker serves one page at /console. */
export function currentRoute() {
  const path = location.hash.replace(/^#/, "");
  return path.startsWith("/") ? path : "/";
}

export function navigate(path: string) {
  location.hash = path;
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}
