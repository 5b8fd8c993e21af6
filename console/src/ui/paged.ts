import { useEffect, useState } from "hono/jsx/dom";
import { messageOf } from "../api";

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

  const fetchPage = async (cursor: string | null, append: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await load(cursor);
      setItems((current) => (append ? [...current, ...page.items] : page.items));
      setNext(page.next);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setLoading(false);
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
