/**
 * Mis-encodings of one valid ECDSA signature (DER, as a signer emits it): each still names the same
 * r and s, so a lenient parser would turn it into a signature that verifies, and only strict DER
 * refuses it. Pure (no Workers imports): the Workers suite and the Node-side OpenSSL check share it.
 */

/** The contents of the two INTEGERs of a minimal DER signature (with the 0x00 pad where present). */
export function derIntegers(der: Uint8Array): { r: number[]; s: number[] } {
  if (der[0] !== 0x30 || der[1]! + 2 !== der.length || der[2] !== 0x02)
    throw new Error("not a short-form DER signature");
  const rEnd = 4 + der[3]!;
  if (der[rEnd] !== 0x02) throw new Error("not a DER signature");
  return { r: [...der.subarray(4, rEnd)], s: [...der.subarray(rEnd + 2, rEnd + 2 + der[rEnd + 1]!)] };
}

/** Whether r or s has its top bit set (so its minimal encoding carries a 0x00 pad). */
export const hasPaddedInteger = (der: Uint8Array): boolean => {
  const { r, s } = derIntegers(der);
  return r[0] === 0 || s[0] === 0;
};

const int = (content: number[]) => [0x02, content.length, ...content];
const seq = (body: number[]) => [0x30, body.length, ...body];

/** [name, encoding] for each way to mis-encode `der`, which must have a padded integer. */
export function malformedVariants(der: Uint8Array): [string, Uint8Array][] {
  const { r, s } = derIntegers(der);
  if (!hasPaddedInteger(der)) throw new Error("needs a signature with a padded integer (top bit set)");
  const [padded, unpaddedOther] = r[0] === 0 ? [r, s] : [s, r];
  const negative = padded.slice(1);
  const body = [...int(r), ...int(s)];
  const variants: [string, number[]][] = [
    ["r with a needless 0x00 in front (non-minimal)", seq([...int([0, ...r]), ...int(s)])],
    ["s with a needless 0x00 in front (non-minimal)", seq([...int(r), ...int([0, ...s])])],
    [
      "an integer with its top bit set and no 0x00 pad (negative)",
      seq(r[0] === 0 ? [...int(negative), ...int(unpaddedOther)] : [...int(unpaddedOther), ...int(negative)]),
    ],
    ["the sequence's length in long form", [0x30, 0x81, body.length, ...body]],
    ["r's length in long form", seq([0x02, 0x81, r.length, ...r, ...int(s)])],
    ["s's length in long form", seq([...int(r), 0x02, 0x81, s.length, ...s])],
    ["a byte after the sequence", [...seq(body), 0x00]],
    ["a third integer in the sequence", seq([...body, ...int([1])])],
    ["only r in the sequence", seq(int(r))],
    ["the sequence's length one short", [0x30, body.length - 1, ...body]],
    ["a SET instead of a SEQUENCE", [0x31, body.length, ...body]],
    ["r of 33 value bytes (2^256)", seq([...int([1, ...Array<number>(32).fill(0)]), ...int(s)])],
    ["an empty integer", seq([0x02, 0x00, ...int(r), ...int(s)])],
  ];
  return variants.map(([name, bytes]) => [name, Uint8Array.from(bytes)]);
}
