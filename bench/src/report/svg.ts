/**
 * Inline SVG charts for the HTML report: a time-series line chart and a latency-percentile chart.
 * Pure functions from numbers to markup; styling comes from the report's CSS classes (axis, grid,
 * label), so the charts need no script and no external resource.
 */

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  readonly widthPx?: number;
  readonly dash?: string;
  readonly opacity?: number;
  /** Draw a dot with a hover title at every point (for the main series). */
  readonly markers?: boolean;
  /** Unit appended to values in the hover titles. */
  readonly unit?: string;
}

export interface LineChartOptions {
  readonly series: readonly ChartSeries[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Start the y axis at 0 (default true). */
  readonly yFromZero?: boolean;
}

const MARGIN = { left: 62, right: 18, top: 14, bottom: 42 } as const;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A 1-2-5 step giving about `targetCount` ticks over `range`. */
function niceStep(range: number, targetCount: number): number {
  if (!(range > 0)) return 1;
  const raw = range / targetCount;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Tick label: no trailing zeros, thousands separated. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(2)));
}

function valueLabel(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function fixed(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function emptyChart(widthPx: number, heightPx: number, message: string): string {
  return `<svg class="chart" viewBox="0 0 ${widthPx} ${heightPx}" role="img"><text class="empty" x="${widthPx / 2}" y="${heightPx / 2}" text-anchor="middle">${escapeHtml(message)}</text></svg>`;
}

/** A line chart of series over a numeric x axis (seconds). */
export function lineChart(options: LineChartOptions): string {
  const widthPx = options.widthPx ?? 920;
  const heightPx = options.heightPx ?? 280;
  const all = options.series.flatMap((series) => series.points);
  if (all.length === 0) return emptyChart(widthPx, heightPx, 'no samples (the measurement was shorter than one interval)');
  let xMin = Math.min(...all.map((point) => point[0]));
  let xMax = Math.max(...all.map((point) => point[0]));
  let yMin = options.yFromZero === false ? Math.min(...all.map((point) => point[1])) : 0;
  let yMax = Math.max(...all.map((point) => point[1]));
  if (xMin > 0 && xMin <= (xMax - xMin) * 0.5 + 1) xMin = 0;
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) yMax = yMin + (yMax === 0 ? 1 : Math.abs(yMax) * 0.1);
  const yStep = niceStep(yMax - yMin, 5);
  yMax = Math.ceil(yMax / yStep - 1e-9) * yStep;
  yMin = Math.floor(yMin / yStep + 1e-9) * yStep;
  const xStep = niceStep(xMax - xMin, 10);
  const plotWidth = widthPx - MARGIN.left - MARGIN.right;
  const plotHeight = heightPx - MARGIN.top - MARGIN.bottom;
  const x = (value: number): number => MARGIN.left + ((value - xMin) / (xMax - xMin)) * plotWidth;
  const y = (value: number): number => MARGIN.top + plotHeight - ((value - yMin) / (yMax - yMin)) * plotHeight;

  const parts: string[] = [];
  for (let tick = yMin; tick <= yMax + yStep / 2; tick += yStep) {
    const ty = fixed(y(tick));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${widthPx - MARGIN.right}" y1="${ty}" y2="${ty}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${tickLabel(tick)}</text>`);
  }
  for (let tick = Math.ceil(xMin / xStep) * xStep; tick <= xMax + 1e-9; tick += xStep) {
    const tx = fixed(x(tick));
    parts.push(`<line class="grid grid-x" x1="${tx}" x2="${tx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}"/>`);
    parts.push(`<text class="tick" x="${tx}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${tickLabel(tick)}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${widthPx - MARGIN.right}" y1="${fixed(MARGIN.top + plotHeight)}" y2="${fixed(MARGIN.top + plotHeight)}"/>`);
  parts.push(`<text class="label" x="${MARGIN.left + plotWidth / 2}" y="${heightPx - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`);
  parts.push(`<text class="label" transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`);

  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const width = series.widthPx ?? 2;
    const opacity = series.opacity ?? 1;
    const path = series.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${fixed(x(point[0]))} ${fixed(y(point[1]))}`).join('');
    parts.push(
      `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="${width}" stroke-linejoin="round" stroke-linecap="round"${series.dash === undefined ? '' : ` stroke-dasharray="${series.dash}"`}${opacity === 1 ? '' : ` stroke-opacity="${opacity}"`}/>`,
    );
    if (series.markers === true || series.points.length === 1) {
      const unit = series.unit === undefined ? '' : ` ${series.unit}`;
      for (const point of series.points) {
        parts.push(
          `<circle cx="${fixed(x(point[0]))}" cy="${fixed(y(point[1]))}" r="${series.points.length > 120 ? 1.5 : 2.6}" fill="${series.color}"${opacity === 1 ? '' : ` fill-opacity="${opacity}"`}><title>${escapeHtml(series.name)} at ${tickLabel(point[0])} s: ${valueLabel(point[1])}${unit}</title></circle>`,
        );
      }
    }
  }
  return `<svg class="chart" viewBox="0 0 ${widthPx} ${heightPx}" role="img">${parts.join('')}</svg>`;
}

export interface PercentileSeries {
  readonly name: string;
  readonly color: string;
  /** One value per category, in ms. */
  readonly values: readonly number[];
}

/** Latency at each percentile (categories along x), log-scaled y, values labelled. */
export function percentileChart(categories: readonly string[], series: readonly PercentileSeries[], widthPx = 920, heightPx = 280): string {
  const values = series.flatMap((entry) => entry.values).filter((value) => value > 0);
  if (values.length === 0) return emptyChart(widthPx, heightPx, 'no latency samples');
  // Half a decade of room below the smallest value keeps its label off the axis.
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)) - 0.5);
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values)) + 1e-9);
  const decades = Math.max(1, Math.round(Math.log10(high / low)));
  const plotWidth = widthPx - MARGIN.left - MARGIN.right;
  const plotHeight = heightPx - MARGIN.top - MARGIN.bottom;
  const step = plotWidth / categories.length;
  const x = (index: number): number => MARGIN.left + step * (index + 0.5);
  const y = (value: number): number => MARGIN.top + plotHeight - (Math.log10(Math.max(value, low) / low) / decades) * plotHeight;
  const parts: string[] = [];
  for (let decade = 0; decade <= decades; decade += 1) {
    const base = low * 10 ** decade;
    for (const multiple of decade === decades ? [1] : [1, 2, 5]) {
      const value = base * multiple;
      const ty = fixed(y(value));
      parts.push(`<line class="grid${multiple === 1 ? '' : ' grid-minor'}" x1="${MARGIN.left}" x2="${widthPx - MARGIN.right}" y1="${ty}" y2="${ty}"/>`);
      parts.push(`<text class="tick" x="${MARGIN.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${tickLabel(value)}</text>`);
    }
  }
  categories.forEach((category, index) => {
    parts.push(`<text class="tick" x="${fixed(x(index))}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${escapeHtml(category)}</text>`);
  });
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${widthPx - MARGIN.right}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}"/>`);
  parts.push(`<text class="label" x="${MARGIN.left + plotWidth / 2}" y="${heightPx - 6}" text-anchor="middle">percentile</text>`);
  parts.push(`<text class="label" transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`);
  series.forEach((entry, seriesIndex) => {
    const path = entry.values.map((value, index) => `${index === 0 ? 'M' : 'L'}${fixed(x(index))} ${fixed(y(value))}`).join('');
    parts.push(`<path d="${path}" fill="none" stroke="${entry.color}" stroke-width="2.2" stroke-linejoin="round"/>`);
    entry.values.forEach((value, index) => {
      const cx = fixed(x(index));
      const cy = y(value);
      parts.push(`<circle cx="${cx}" cy="${fixed(cy)}" r="3.4" fill="#fff" stroke="${entry.color}" stroke-width="2"><title>${escapeHtml(entry.name)} ${escapeHtml(categories[index]!)}: ${valueLabel(value)} ms</title></circle>`);
      // Labels alternate above/below between series so two series stay readable.
      const above = seriesIndex % 2 === 0;
      parts.push(`<text class="value" x="${cx}" y="${fixed(above ? cy - 9 : cy + 17)}" text-anchor="middle" fill="${entry.color}">${valueLabel(value)}</text>`);
    });
  });
  return `<svg class="chart" viewBox="0 0 ${widthPx} ${heightPx}" role="img">${parts.join('')}</svg>`;
}
