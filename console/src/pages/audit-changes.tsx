/** A value of an audit entry's details as one short line. */
function show(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.length ? value.map(show).join(", ") : "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

interface Change {
  from: unknown;
  to: unknown;
}
const isChange = (value: unknown): value is Change =>
  typeof value === "object" && value !== null && "from" in value && "to" in value;

/**
 * What an entry changed: each field `from → to` (`rate_limit: 100 → 250`) for an update, and the
 * values it set for a creation (`name: Checkout`). Details hold names and values, never a secret.
 */
export function AuditChanges(props: { details: Record<string, unknown> }) {
  const { changes, ...rest } = props.details;
  const lines: string[] = [];
  if (changes && typeof changes === "object")
    for (const [field, change] of Object.entries(changes as Record<string, unknown>))
      lines.push(
        isChange(change) ? `${field}: ${show(change.from)} → ${show(change.to)}` : `${field}: ${show(change)}`,
      );
  for (const [field, value] of Object.entries(rest)) {
    // "rekeyed: false" on an update says nothing; the action already says what happened.
    if (value === false && field === "rekeyed") continue;
    lines.push(isChange(value) ? `${field}: ${show(value.from)} → ${show(value.to)}` : `${field}: ${show(value)}`);
  }
  if (lines.length === 0) return <>—</>;
  return (
    <ul class="changes">
      {lines.map((line) => (
        <li>{line}</li>
      ))}
    </ul>
  );
}
