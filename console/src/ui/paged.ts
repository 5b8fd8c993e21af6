import { useEffect, useRef, useState } from "hono/jsx/dom";
import { messageOf } from "../gateway";

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A newest-first list read page by page (the API's cursors), with loading and error state. */
export function usePaged<T extends { id: string }>(load: (cursor: string | null) => Promise<Page<T>>, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  // Only the latest request's answer counts: an older one (a filter changed meanwhile) or one that
  // arrives after the page is gone is dropped. (hono/jsx re-renders an unmounted component whose
  // state is set, which puts the page it left back on screen.)
  const latest = useRef(0);
  useEffect(
    () => () => {
      latest.current = -1;
    },
    [],
  );

  // The key of the items on screen: another key's items (another filter) are never shown under it.
  const shownKey = useRef(key);

  const fetchPage = async (cursor: string | null, append: boolean) => {
    const request = ++latest.current;
    const current = () => request === latest.current;
    setLoading(true);
    setError(null);
    if (shownKey.current !== key) {
      shownKey.current = key;
      setItems([]);
      setNext(null);
    }
    try {
      const page = await load(cursor);
      if (!current()) return;
      setItems((shown) => (append ? [...shown, ...page.items] : page.items));
      setNext(page.next);
    } catch (err) {
      if (!current()) return;
      setError(messageOf(err));
      // A first page that failed: the error alone, not the list it was to replace.
      if (!append) {
        setItems([]);
        setNext(null);
      }
    } finally {
      if (current()) setLoading(false);
    }
  };

  useEffect(() => {
    void fetchPage(null, false);
  }, [key, generation]);

  return {
    items,
    loading,
    error,
    hasMore: next !== null,
    loadMore: () => fetchPage(next, true),
    reload: () => setGeneration((g) => g + 1),
    replace: (item: T) => setItems((current) => current.map((i) => (i.id === item.id ? item : i))),
  };
}
