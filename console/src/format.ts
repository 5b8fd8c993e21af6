/** Times as `2026-04-26 10:03 UTC`: the same for every admin, whatever their locale. */
export function when(iso: string | null | undefined, never = "Never") {
  if (!iso) return never;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export const number = (n: number) => n.toLocaleString("en-US");

export const percent = (rate: number | null) =>
  rate === null ? "—" : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`;

export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
