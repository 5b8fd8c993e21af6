// The product's documents: every relative link in them leads to a file of this repository (and,
// with a #fragment, to a heading of it), since a clone has nothing outside it; and they describe the
// product, not how it was made, so they name no development issue.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** README.md, bench/README.md, sdk/README.md and every Markdown file under docs/. */
function documents(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return under(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
  return ["README.md", "bench/README.md", "sdk/README.md", ...under("docs")];
}

/** The text outside fenced code blocks, where a `#` line is not a heading. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** The text outside code blocks and inline code, where a `[x](y)` is not a link. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, "");
}

/** Link and image targets: `[text](target)` and `![alt](target "title")`. */
function targets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/**
 * The anchors GitHub gives a file's headings: lower case, punctuation dropped (letters, digits,
 * spaces, hyphens and underscores stay), spaces to hyphens, and -1, -2… for repeats. This is
 * github-slugger's rule, written out rather than added as a dependency for one test.
 */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1");
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

/** Why `target`, linked from `file`, does not resolve inside the repository; null when it does. */
function brokenLink(file: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto: … leave the repository on purpose
  const [pathPart, fragment] = target.split("#", 2) as [string, string | undefined];
  const path = pathPart === "" ? join(ROOT, file) : resolve(ROOT, dirname(file), decodeURIComponent(pathPart));
  const inside = relative(ROOT, path);
  if (inside.startsWith("..") || inside.split(sep)[0] === "..") return "leads outside the repository";
  if (!existsSync(path)) return "no such file";
  if (fragment === undefined) return null;
  if (statSync(path).isDirectory() || !path.endsWith(".md")) return "an anchor into a file that is not Markdown";
  return anchors(readFileSync(path, "utf8")).has(fragment) ? null : `no heading with anchor #${fragment}`;
}

describe("the product's documents", () => {
  const files = documents();

  it("are found", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("docs/storage.md");
  });

  it("link only to files and headings that exist in the repository", () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of targets(readFileSync(join(ROOT, file), "utf8"))) {
        const why = brokenLink(file, target);
        if (why) broken.push(`${file}: (${target}) ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("name no development issue", () => {
    const named = files.flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (/issue ?#?[0-9]+/i.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(named).toEqual([]);
  });

  it("the anchor rule is GitHub's", () => {
    const headings =
      "# Walk-through (curl)\n## Reporting leaked secrets: GitHub's program\n## From a script: `NafsiAdmin`\n## Usage\n## Usage";
    expect([...anchors(headings)]).toEqual([
      "walk-through-curl",
      "reporting-leaked-secrets-githubs-program",
      "from-a-script-nafsiadmin",
      "usage",
      "usage-1",
    ]);
  });
});
