/**
 * CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, a double quote or a line break
 * is quoted, its quotes doubled), with spreadsheet formula injection neutralised: a text cell that
 * starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets also read
 * as the start of a formula) is prefixed with `'`, so that it is shown as text, never run (OWASP
 * "CSV Injection"). Numbers are written as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number): string {
  if (typeof value === "number") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: readonly (string | number)[]): string => cells.map(csvCell).join(",") + "\r\n";
