/**
 * Which URLs a webhook endpoint may have (contract "Alert settings and webhook endpoints"). The
 * gateway POSTs to them from Cloudflare's network, so a URL must not be a way to reach what only the
 * gateway can: an IP literal in a private, loopback, link-local or unique-local range. The URL is
 * parsed with WHATWG `URL` first and its *parsed* host checked: the parser normalises every IPv4
 * spelling ("2130706433", "0x7f.1", "127.1", "0177.0.0.1") to dotted decimal and IPv6 to its
 * compressed bracketed form, so no spelling slips past a check of the text as typed.
 * Names are not resolved here: a name that resolves to a private address is Cloudflare's
 * outbound network's business (a Worker's fetch cannot reach private networks).
 */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** IPv4 ranges refused, as [first octets, prefix length]. */
const REFUSED_IPV4: readonly [number[], number][] = [
  [[0], 8], // "this network"
  [[10], 8], // private
  [[100, 64], 10], // carrier-grade NAT
  [[127], 8], // loopback
  [[169, 254], 16], // link-local (cloud metadata services live here)
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[224], 4], // multicast
  [[240], 4], // reserved, broadcast
];

const DEV_HOSTS = new Set(["localhost", "127.0.0.1"]);

function ipv4Octets(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function inIpv4Range(octets: number[], [prefix, bits]: [number[], number]): boolean {
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const base = [...prefix, 0, 0, 0, 0].slice(0, 4);
  const start = ((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (value & mask) >>> 0 === (start & mask) >>> 0;
}

const refusedIpv4 = (octets: number[]) => REFUSED_IPV4.some((range) => inIpv4Range(octets, range));

/** The eight 16-bit groups of a parsed (bracketless, compressed) IPv6 address. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  // An embedded IPv4 tail (the parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1, but be sure).
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const o = ipv4Octets(tail[1]!);
    if (!o) return null;
    text =
      text.slice(0, -tail[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...new Array<number>(Math.max(0, fill)).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function refusedIpv6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const zeroHead = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroHead && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  const v4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  if (zeroHead && (g5 === 0xffff || g5 === 0)) return refusedIpv4(v4); // IPv4-mapped / -compatible
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return refusedIpv4(v4); // NAT64
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique-local
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated, still private)
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/** Why `raw` cannot be a webhook endpoint's URL, or null when it can. */
export function webhookUrlProblem(raw: string): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `At most ${MAX_WEBHOOK_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Not a URL.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "Must be an https:// URL (or http://localhost:<port> for development).";
  if (url.username !== "" || url.password !== "") return "Must not contain credentials (user:password@).";
  const host = url.hostname;
  const development = DEV_HOSTS.has(host) && url.port !== "";
  if (url.protocol === "http:" && !development)
    return "Must be an https:// URL (http:// only for localhost or 127.0.0.1 with a port, for development).";
  if (development) return null;
  if (host === "localhost" || host.endsWith(".localhost")) return "Must not point at this machine (localhost).";
  const v4 = ipv4Octets(host);
  if (v4) return refusedIpv4(v4) ? "Must not be a private, loopback or link-local IPv4 address." : null;
  if (host.startsWith("[")) {
    const groups = ipv6Groups(host.slice(1, -1));
    if (!groups || refusedIpv6(groups)) return "Must not be a loopback, link-local or unique-local IPv6 address.";
  }
  return null;
}
