// node drive.mjs http://127.0.0.1:8799 alone|timer|timer-io : 20 concurrent requests, tallied.
const [base, mode] = process.argv.slice(2);
const answers = await Promise.all(
  Array.from({ length: 20 }, () => fetch(`${base}/${mode}`).then(async (r) => [r.status, await r.text()])),
);
const tally = {};
for (const [status, text] of answers) {
  const key = `${status} ${text.startsWith("{") ? JSON.parse(text).role : text.slice(0, 120)}`;
  tally[key] = (tally[key] ?? 0) + 1;
}
console.log(mode, tally);
