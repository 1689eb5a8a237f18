import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.js';

describe('LatencyHistogram', () => {
  it('returns percentiles within 0.4 % of the exact values', () => {
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 1; i <= 100_000; i += 1) {
      const valueMs = 0.01 + ((i * 7919) % 100_000) / 1000; // 0.01 .. 100 ms, scrambled order
      values.push(valueMs);
      histogram.record(valueMs);
    }
    values.sort((a, b) => a - b);
    for (const quantile of [0.5, 0.9, 0.99, 0.999, 0.9999]) {
      const exact = values[Math.ceil(quantile * values.length) - 1]!;
      expect(Math.abs(histogram.valueAtQuantileMs(quantile) - exact) / exact).toBeLessThan(0.004);
    }
    expect(histogram.maxMs).toBeCloseTo(values[values.length - 1]!, 9);
    expect(histogram.minMs).toBeCloseTo(values[0]!, 9);
    expect(histogram.count).toBe(100_000);
  });

  it('keeps sub-microsecond and hour-long values apart', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0.0002);
    histogram.record(3_600_000);
    expect(histogram.valueAtQuantileMs(0.5)).toBeLessThan(0.001);
    expect(histogram.valueAtQuantileMs(1)).toBe(3_600_000);
  });

  it('adds another histogram as if its samples were recorded here', () => {
    const left = new LatencyHistogram();
    const right = new LatencyHistogram();
    const both = new LatencyHistogram();
    for (let i = 0; i < 1000; i += 1) {
      left.record(i / 100);
      both.record(i / 100);
      right.record(50 + i);
      both.record(50 + i);
    }
    left.add(right);
    expect(left.summary()).toEqual(both.summary());
  });

  it('reads zeros when empty and after a reset', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary().p99Ms).toBe(0);
    histogram.record(5);
    histogram.reset();
    expect(histogram.summary()).toMatchObject({ count: 0, p50Ms: 0, maxMs: 0, meanMs: 0 });
  });
});
