// wrangler's output: its tail for error messages, the whole of it (up to 50 MB) in
// bench/.state/wrangler.log, and a count of the runtime's error lines by kind (numbers folded).
import { createWriteStream } from "node:fs";

const MAX_LOGGED = 50 * 2 ** 20;

/** The kind of a runtime error line: ids, hex and numbers folded so that alike lines count together. */
export function errorKind(message) {
  return message
    .replace(/"at":"[^"]*",?/g, "")
    .replace(/reference = \w+/g, "reference = …")
    .replace(/[0-9a-f]{16,}/g, "…")
    .replace(/\d+/g, "N")
    .slice(0, 120)
    .trim();
}

export function wranglerLog(file) {
  let tail = "";
  let logged = 0;
  const logFile = createWriteStream(file);
  const errorKinds = {};
  const keeper = () => {
    let partial = "";
    return (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-20_000);
      if (logged < MAX_LOGGED) {
        logFile.write(chunk);
        logged += chunk.length;
      }
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const raw of lines) {
        const line = raw
          .split("\u001b")
          .map((part) => part.replace(/^\[[0-9;]*m/, ""))
          .join("");
        const m = /\[ERROR\]\s*(.*)$/.exec(line);
        if (!m) continue;
        const kind = errorKind(m[1]);
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    };
  };
  return {
    /** Follows one stream (stdout or stderr); lines are split per stream. */
    follow: (stream) => stream.on("data", keeper()),
    tail: () => tail,
    errorKinds,
  };
}

/** Error lines (by kind) printed between two snapshots of the counts. */
export const errorDelta = (before, after) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => v > 0),
  );
