/**
 * What one actor (or one group of actors) measured: totals, the latency histogram and one sample per
 * second of throughput and latency. Recording a batch is a few additions and two histogram
 * increments; nothing is allocated per batch. A recorder records nothing until `begin` (warm-up
 * batches are not counted) and nothing after `finish`.
 */
import { LatencyHistogram } from './histogram.js';

/** One point of the over-time series: the interval that ended at `timeS` after the measurement began. */
export interface TimeSample {
  timeS: number;
  /** Length of the interval (1 s, except a final partial one). */
  intervalS: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  latencyMsMean: number;
  latencyMsP50: number;
  latencyMsP99: number;
  latencyMsMax: number;
}

/** A final interval shorter than this is left out of the series (its messages still count in the totals). */
const PARTIAL_INTERVAL_MS_MIN = 250;

export class Recorder {
  readonly histogram = new LatencyHistogram();
  readonly samples: TimeSample[] = [];
  messagesCount = 0;
  payloadBytes = 0;
  batchesCount = 0;
  startMs = 0;
  finishMs = 0;
  private active = false;
  private readonly intervalHistogram = new LatencyHistogram();
  private intervalStartMs = 0;
  private intervalMessagesCount = 0;
  private intervalPayloadBytes = 0;

  /** `parent`: a group recorder that receives every batch this one records. */
  constructor(private readonly parent: Recorder | undefined = undefined) {}

  /** Starts the measurement: everything recorded before (warm-up) is forgotten. */
  begin(nowMs: number): void {
    this.histogram.reset();
    this.intervalHistogram.reset();
    this.samples.length = 0;
    this.messagesCount = 0;
    this.payloadBytes = 0;
    this.batchesCount = 0;
    this.startMs = nowMs;
    this.finishMs = nowMs;
    this.intervalStartMs = nowMs;
    this.intervalMessagesCount = 0;
    this.intervalPayloadBytes = 0;
    this.active = true;
  }

  record(messagesCount: number, payloadBytes: number, latencyMs: number): void {
    if (!this.active) return;
    this.messagesCount += messagesCount;
    this.payloadBytes += payloadBytes;
    this.batchesCount += 1;
    this.intervalMessagesCount += messagesCount;
    this.intervalPayloadBytes += payloadBytes;
    this.histogram.record(latencyMs);
    this.intervalHistogram.record(latencyMs);
    if (this.parent !== undefined) this.parent.record(messagesCount, payloadBytes, latencyMs);
  }

  /** Closes the current per-second interval (called by the sampler once a second). */
  closeInterval(nowMs: number): void {
    if (!this.active) return;
    const lengthMs = nowMs - this.intervalStartMs;
    if (lengthMs <= 0) return;
    const histogram = this.intervalHistogram;
    this.samples.push({
      timeS: (nowMs - this.startMs) / 1000,
      intervalS: lengthMs / 1000,
      messagesPerSecond: (this.intervalMessagesCount * 1000) / lengthMs,
      megabytesPerSecond: this.intervalPayloadBytes / 1000 / lengthMs,
      latencyMsMean: histogram.meanMs,
      latencyMsP50: histogram.valueAtQuantileMs(0.5),
      latencyMsP99: histogram.valueAtQuantileMs(0.99),
      latencyMsMax: histogram.maxMs,
    });
    histogram.reset();
    this.intervalStartMs = nowMs;
    this.intervalMessagesCount = 0;
    this.intervalPayloadBytes = 0;
  }

  /** Ends the measurement; a final interval of at least 250 ms joins the series. */
  finish(nowMs: number): void {
    if (!this.active) return;
    if (nowMs - this.intervalStartMs >= PARTIAL_INTERVAL_MS_MIN) this.closeInterval(nowMs);
    this.finishMs = nowMs;
    this.active = false;
  }
}
