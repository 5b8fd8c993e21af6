import type { Usage } from "../gateway";
import { number } from "../format";

const WIDTH = 960;
const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 24, left: 44 };

/** Daily requests as bars (hand-drawn SVG: a chart library would cost more than the whole console). */
export function DailyChart(props: { daily: Usage["daily"] }) {
  const days = props.daily;
  const max = Math.max(1, ...days.map((d) => d.requests));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, days.length);
  const barW = Math.max(1, step * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const total = days.reduce((sum, d) => sum + d.requests, 0);
  const busiest = days.reduce((best, d) => (d.requests > (best?.requests ?? -1) ? d : best), days[0]);
  const summary =
    days.length === 0
      ? "No days in range."
      : `${number(total)} requests over ${days.length} days, from ${days[0]!.date} to ${days[days.length - 1]!.date}` +
        (busiest && busiest.requests > 0 ? `; busiest day ${busiest.date} with ${number(busiest.requests)}.` : ".");
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Daily requests: ${summary}`}>
        <line class="axis" x1={PAD.left} y1={PAD.top + plotH} x2={WIDTH - PAD.right} y2={PAD.top + plotH} />
        <text class="tick" x={PAD.left - 6} y={PAD.top + 4} text-anchor="end">
          {number(max)}
        </text>
        <text class="tick" x={PAD.left - 6} y={PAD.top + plotH} text-anchor="end">
          0
        </text>
        {days.map((d, i) => {
          const x = PAD.left + i * step + (step - barW) / 2;
          const top = y(d.requests);
          return (
            <g>
              <rect class="bar" x={x} y={top} width={barW} height={PAD.top + plotH - top}>
                <title>{`${d.date}: ${number(d.requests)} requests, ${number(d.successful_requests)} successful`}</title>
              </rect>
              {i % labelEvery === 0 ? (
                <text class="tick" x={x + barW / 2} y={HEIGHT - 6} text-anchor="middle">
                  {d.date.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
