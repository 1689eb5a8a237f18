/**
 * Latency histogram with HdrHistogram's log-linear bucket layout: recording is one Math.log2, a
 * division and an increment in a preallocated Float64Array (no object per sample), and any
 * percentile is read back with a relative error below 1 / SUB_BUCKET_COUNT (0.4 %).
 *
 * Values are recorded in nanoseconds (converted from ms). Bucket group 0 holds [0, S) ns in steps of
 * 1 ns; group g ≥ 1 holds [S·2^(g-1), S·2^g) in S steps of 2^(g-1) ns, S = 256. The last group ends
 * at 2^(GROUPS_COUNT + 7) ns ≈ 2.4 hours; larger values are clamped into it (and still set `max`).
 */

const SUB_BUCKET_BITS = 8;
const SUB_BUCKET_COUNT = 1 << SUB_BUCKET_BITS;
const GROUPS_COUNT = 36;
const BUCKETS_COUNT = GROUPS_COUNT * SUB_BUCKET_COUNT;
const NS_PER_MS = 1e6;

/** The percentiles every report carries, as fractions. */
export const REPORTED_PERCENTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999] as const;

/** Latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  p9999Ms: number;
  maxMs: number;
}

function bucketIndex(valueNs: number): number {
  if (valueNs < SUB_BUCKET_COUNT) return valueNs < 0 ? 0 : Math.floor(valueNs);
  const group = Math.floor(Math.log2(valueNs)) - SUB_BUCKET_BITS + 1;
  if (group >= GROUPS_COUNT) return BUCKETS_COUNT - 1;
  let mantissa = Math.floor(valueNs / 2 ** (group - 1));
  // Math.log2 can round up just below a power of two; keep the mantissa in [S, 2S).
  if (mantissa >= 2 * SUB_BUCKET_COUNT) mantissa = 2 * SUB_BUCKET_COUNT - 1;
  else if (mantissa < SUB_BUCKET_COUNT) mantissa = SUB_BUCKET_COUNT;
  return (group - 1) * SUB_BUCKET_COUNT + mantissa;
}

/** The middle of bucket `index`, in ns. */
function bucketMiddleNs(index: number): number {
  if (index < SUB_BUCKET_COUNT) return index + 0.5;
  const group = Math.floor(index / SUB_BUCKET_COUNT);
  const mantissa = index - (group - 1) * SUB_BUCKET_COUNT;
  const width = 2 ** (group - 1);
  return mantissa * width + width / 2;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS_COUNT);
  private countValue = 0;
  private sumNs = 0;
  private minNs = Number.POSITIVE_INFINITY;
  private maxNs = 0;
  /** Lowest and highest bucket touched since the last reset, so reads and resets scan only those. */
  private lowIndex = BUCKETS_COUNT;
  private highIndex = -1;

  get count(): number {
    return this.countValue;
  }

  record(latencyMs: number): void {
    const valueNs = latencyMs * NS_PER_MS;
    const index = bucketIndex(valueNs);
    this.counts[index]! += 1;
    if (index < this.lowIndex) this.lowIndex = index;
    if (index > this.highIndex) this.highIndex = index;
    this.countValue += 1;
    this.sumNs += valueNs;
    if (valueNs < this.minNs) this.minNs = valueNs;
    if (valueNs > this.maxNs) this.maxNs = valueNs;
  }

  /** Adds every sample of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    if (other.countValue === 0) return;
    for (let i = other.lowIndex; i <= other.highIndex; i += 1) this.counts[i]! += other.counts[i]!;
    if (other.lowIndex < this.lowIndex) this.lowIndex = other.lowIndex;
    if (other.highIndex > this.highIndex) this.highIndex = other.highIndex;
    this.countValue += other.countValue;
    this.sumNs += other.sumNs;
    if (other.minNs < this.minNs) this.minNs = other.minNs;
    if (other.maxNs > this.maxNs) this.maxNs = other.maxNs;
  }

  reset(): void {
    if (this.highIndex >= 0) this.counts.fill(0, this.lowIndex, this.highIndex + 1);
    this.lowIndex = BUCKETS_COUNT;
    this.highIndex = -1;
    this.countValue = 0;
    this.sumNs = 0;
    this.minNs = Number.POSITIVE_INFINITY;
    this.maxNs = 0;
  }

  /** The value at `quantile` (0..1) in ms; 0 when empty. Exact at the ends (min and max are kept). */
  valueAtQuantileMs(quantile: number): number {
    if (this.countValue === 0) return 0;
    if (quantile <= 0) return this.minNs / NS_PER_MS;
    if (quantile >= 1) return this.maxNs / NS_PER_MS;
    const rank = Math.max(1, Math.ceil(quantile * this.countValue));
    let seen = 0;
    for (let i = this.lowIndex; i <= this.highIndex; i += 1) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const middle = bucketMiddleNs(i);
        return Math.min(this.maxNs, Math.max(this.minNs, middle)) / NS_PER_MS;
      }
    }
    return this.maxNs / NS_PER_MS;
  }

  get meanMs(): number {
    return this.countValue === 0 ? 0 : this.sumNs / this.countValue / NS_PER_MS;
  }

  get maxMs(): number {
    return this.maxNs / NS_PER_MS;
  }

  get minMs(): number {
    return this.countValue === 0 ? 0 : this.minNs / NS_PER_MS;
  }

  summary(): LatencySummary {
    return {
      count: this.countValue,
      minMs: this.minMs,
      meanMs: this.meanMs,
      p50Ms: this.valueAtQuantileMs(0.5),
      p90Ms: this.valueAtQuantileMs(0.9),
      p95Ms: this.valueAtQuantileMs(0.95),
      p99Ms: this.valueAtQuantileMs(0.99),
      p999Ms: this.valueAtQuantileMs(0.999),
      p9999Ms: this.valueAtQuantileMs(0.9999),
      maxMs: this.maxMs,
    };
  }
}
