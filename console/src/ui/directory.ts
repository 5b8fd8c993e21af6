import { useEffect, useState } from "hono/jsx/dom";
import { gateway, type AdminToken, type Client, type Me, type Workflow } from "../gateway";
import { can } from "../permissions";

/** Items read for names at most: beyond that, IDs are shown without a name. */
const MAX_ITEMS = 1000;

/** Every item of a list, newest first, up to MAX_ITEMS (pages of 100). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) {
    all.push(item);
    if (all.length >= MAX_ITEMS) break;
  }
  return all;
}

export interface Directory {
  clients: Client[];
  workflows: Workflow[];
  tokens: AdminToken[];
}

type Kind = keyof Directory;

const EMPTY: Directory = { clients: [], workflows: [], tokens: [] };

/**
 * The clients, workflows and admin tokens the signed-in token may read, for names beside IDs and
 * for pickers. Each kind is read only when asked for and permitted; what cannot be read stays
 * empty (the page then shows IDs alone).
 */
export function useDirectory(me: Me, kinds: Kind[]): Directory {
  const [directory, setDirectory] = useState<Directory>(EMPTY);
  useEffect(() => {
    // No state set once the page is gone (see usePaged).
    let live = true;
    const api = gateway();
    const read = <T>(permitted: boolean, items: () => AsyncIterable<T>): Promise<T[]> =>
      permitted ? collect(items()).catch(() => []) : Promise.resolve([]);
    Promise.all([
      read(kinds.includes("clients") && can(me, "clients:read"), () => api.clients.list({ limit: 100 })),
      read(kinds.includes("workflows") && can(me, "workflows:read"), () => api.workflows.list({ limit: 100 })),
      read(kinds.includes("tokens") && can(me, "tokens:manage"), () => api.tokens.list({ limit: 100 })),
    ]).then(([clients, workflows, tokens]) => live && setDirectory({ clients, workflows, tokens }));
    return () => {
      live = false;
    };
  }, [me.actor]);
  return directory;
}

/** The name of a client, workflow or admin token the directory holds, else null. */
export function nameOf(directory: Directory, id: string | null | undefined): string | null {
  if (!id) return null;
  const found =
    directory.clients.find((c) => c.id === id) ??
    directory.workflows.find((w) => w.id === id) ??
    directory.tokens.find((t) => t.id === id);
  return found?.name ?? null;
}

/** Clients by name, for pickers. */
export const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));
