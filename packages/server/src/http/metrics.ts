/**
 * `/metrics`: Prometheus text exposition (format 0.0.4) of the HTTP API, the server and the process.
 *
 * - HTTP requests by method, route template and status, and their latency histogram (recorded here).
 * - Messages and bytes sent and polled per stream/topic through HTTP (recorded by the message routes),
 *   server-wide totals of all transports (`state.counters`), and stored messages, bytes, segments and
 *   current offset per partition (the router's `state.stats` mirror).
 * - Consumer lag per consumer group and partition: current offset − stored group offset, read with
 *   GetConsumerOffset through the router (partitions without a stored offset are left out).
 * - Shard queue depths (`state.shards.inFlight`), connected clients, process and event-loop figures.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import {
  CommandCode,
  ConsumerKind,
  decodeGetConsumerOffsetResponse,
  encodeGetConsumerOffsetRequest,
} from '@iggy-ts/protocol';
import { ROOT_USER_ID } from '../metadata/metadata.js';
import type { ServerState } from '../router/context.js';
import type { Router } from '../router/router.js';
import { Session, Transport } from '../router/sessions.js';

/** Latency buckets of `iggy_http_request_duration_seconds`, in seconds. */
export const HTTP_DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  readonly method: string;
  readonly route: string;
  readonly buckets: number[];
  count: number;
  sumSeconds: number;
}

interface TopicTraffic {
  readonly streamId: number;
  readonly topicId: number;
  messagesSent: number;
  bytesSent: number;
  messagesPolled: number;
  bytesPolled: number;
}

type Labels = Readonly<Record<string, string | number>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabel(String(value))}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Accumulates one exposition: each family is written with HELP and TYPE once, then its samples. */
class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: readonly (readonly [Labels, number])[]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  raw(lines: readonly string[]): void {
    this.lines.push(...lines);
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export class HttpMetrics {
  private readonly requests = new Map<string, { method: string; route: string; status: number; count: number }>();
  private readonly durations = new Map<string, Histogram>();
  private readonly traffic = new Map<string, TopicTraffic>();
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  /** Reads consumer offsets as root; never registered as a client. */
  private readonly internalSession = new Session(0, 'internal:metrics', Transport.http, Date.now());

  constructor() {
    this.internalSession.userId = ROOT_USER_ID;
  }

  start(): void {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let counter = this.requests.get(key);
    if (counter === undefined) {
      counter = { method, route, status, count: 0 };
      this.requests.set(key, counter);
    }
    counter.count += 1;
    const histogramKey = `${method} ${route}`;
    let histogram = this.durations.get(histogramKey);
    if (histogram === undefined) {
      histogram = { method, route, buckets: new Array<number>(HTTP_DURATION_BUCKETS_SECONDS.length).fill(0), count: 0, sumSeconds: 0 };
      this.durations.set(histogramKey, histogram);
    }
    histogram.count += 1;
    histogram.sumSeconds += seconds;
    for (let index = 0; index < HTTP_DURATION_BUCKETS_SECONDS.length; index += 1) {
      if (seconds <= HTTP_DURATION_BUCKETS_SECONDS[index]!) histogram.buckets[index]! += 1;
    }
  }

  private trafficOf(streamId: number, topicId: number): TopicTraffic {
    const key = `${streamId}/${topicId}`;
    let entry = this.traffic.get(key);
    if (entry === undefined) {
      entry = { streamId, topicId, messagesSent: 0, bytesSent: 0, messagesPolled: 0, bytesPolled: 0 };
      this.traffic.set(key, entry);
    }
    return entry;
  }

  recordSent(streamId: number, topicId: number, messages: number, bytes: number): void {
    const entry = this.trafficOf(streamId, topicId);
    entry.messagesSent += messages;
    entry.bytesSent += bytes;
  }

  recordPolled(streamId: number, topicId: number, messages: number, bytes: number): void {
    const entry = this.trafficOf(streamId, topicId);
    entry.messagesPolled += messages;
    entry.bytesPolled += bytes;
  }

  /** The whole exposition; reads consumer-group offsets through the router. */
  async render(state: ServerState, router: Router): Promise<string> {
    const out = new Exposition();
    this.renderHttp(out);
    this.renderTraffic(out, state);
    await this.renderStorage(out, state, router);
    this.renderServer(out, state);
    this.renderProcess(out, state);
    return out.toString();
  }

  private renderHttp(out: Exposition): void {
    out.family(
      'iggy_http_requests_total',
      'counter',
      'HTTP requests answered, by method, route template and status.',
      [...this.requests.values()].map((entry) => [{ method: entry.method, route: entry.route, status: entry.status }, entry.count] as const),
    );
    const lines = ['# HELP iggy_http_request_duration_seconds Time from a complete request to its response, by method and route template.', '# TYPE iggy_http_request_duration_seconds histogram'];
    for (const histogram of this.durations.values()) {
      const labels = { method: histogram.method, route: histogram.route };
      for (let index = 0; index < HTTP_DURATION_BUCKETS_SECONDS.length; index += 1) {
        lines.push(`iggy_http_request_duration_seconds_bucket${formatLabels({ ...labels, le: String(HTTP_DURATION_BUCKETS_SECONDS[index]) })} ${histogram.buckets[index]}`);
      }
      lines.push(`iggy_http_request_duration_seconds_bucket${formatLabels({ ...labels, le: '+Inf' })} ${histogram.count}`);
      lines.push(`iggy_http_request_duration_seconds_sum${formatLabels(labels)} ${formatValue(histogram.sumSeconds)}`);
      lines.push(`iggy_http_request_duration_seconds_count${formatLabels(labels)} ${histogram.count}`);
    }
    out.raw(lines);
  }

  private renderTraffic(out: Exposition, state: ServerState): void {
    const labelled: { entry: TopicTraffic; labels: Labels }[] = [];
    for (const [key, entry] of this.traffic) {
      const stream = state.metadata.getStream(entry.streamId);
      const topic = stream?.topics.get(entry.topicId);
      // A deleted topic's counters go with it, so the series count stays bounded by the topics.
      if (stream === undefined || topic === undefined) {
        this.traffic.delete(key);
        continue;
      }
      labelled.push({ entry, labels: { stream_id: entry.streamId, stream: stream.name, topic_id: entry.topicId, topic: topic.name } });
    }
    out.family('iggy_http_messages_sent_total', 'counter', 'Messages sent through the HTTP API, per stream and topic.', labelled.map(({ entry, labels }) => [labels, entry.messagesSent] as const));
    out.family('iggy_http_message_bytes_sent_total', 'counter', 'Payload and header bytes of messages sent through the HTTP API, per stream and topic.', labelled.map(({ entry, labels }) => [labels, entry.bytesSent] as const));
    out.family('iggy_http_messages_polled_total', 'counter', 'Messages polled through the HTTP API, per stream and topic.', labelled.map(({ entry, labels }) => [labels, entry.messagesPolled] as const));
    out.family('iggy_http_message_bytes_polled_total', 'counter', 'Payload and header bytes of messages polled through the HTTP API, per stream and topic.', labelled.map(({ entry, labels }) => [labels, entry.bytesPolled] as const));
    // Every transport (TCP, TLS, QUIC, WebSocket and HTTP all reach the same handlers).
    const all = state.topicTraffic
      .live((streamId, topicId) => state.metadata.getStream(streamId)?.topics.get(topicId) !== undefined)
      .map((entry) => {
        const stream = state.metadata.getStream(entry.streamId)!;
        return { entry, labels: { stream_id: entry.streamId, stream: stream.name, topic_id: entry.topicId, topic: stream.topics.get(entry.topicId)!.name } as Labels };
      });
    out.family('iggy_topic_messages_sent_total', 'counter', 'Messages sent, per stream and topic, through every transport.', all.map(({ entry, labels }) => [labels, entry.messagesSent] as const));
    out.family('iggy_topic_message_bytes_sent_total', 'counter', 'Message bytes sent, per stream and topic, through every transport.', all.map(({ entry, labels }) => [labels, entry.bytesSent] as const));
    out.family('iggy_topic_messages_polled_total', 'counter', 'Messages polled, per stream and topic, through every transport.', all.map(({ entry, labels }) => [labels, entry.messagesPolled] as const));
    out.family('iggy_topic_message_bytes_polled_total', 'counter', 'Message bytes polled, per stream and topic, through every transport.', all.map(({ entry, labels }) => [labels, entry.bytesPolled] as const));
  }

  private async renderStorage(out: Exposition, state: ServerState, router: Router): Promise<void> {
    const partitionSamples: { labels: Labels; currentOffset: number; messages: number; bytes: number; segments: number; empty: boolean }[] = [];
    const topicSamples: { labels: Labels; messages: number; bytes: number; partitions: number }[] = [];
    const lag: (readonly [Labels, number])[] = [];
    const stored: (readonly [Labels, number])[] = [];
    const groupMembers: (readonly [Labels, number])[] = [];
    for (const stream of state.metadata.getStreams()) {
      for (const topic of [...stream.topics.values()].sort((a, b) => a.id - b.id)) {
        const topicLabels = { stream_id: stream.id, stream: stream.name, topic_id: topic.id, topic: topic.name };
        let topicMessages = 0;
        let topicBytes = 0;
        for (const partition of topic.partitions) {
          const figures = state.stats.get({ streamId: stream.id, topicId: topic.id, partitionId: partition.id });
          topicMessages += figures.messagesCount;
          topicBytes += figures.sizeBytes;
          partitionSamples.push({
            labels: { ...topicLabels, partition_id: partition.id },
            currentOffset: figures.currentOffset,
            messages: figures.messagesCount,
            bytes: figures.sizeBytes,
            segments: figures.segmentsCount,
            empty: figures.empty,
          });
        }
        topicSamples.push({ labels: topicLabels, messages: topicMessages, bytes: topicBytes, partitions: topic.partitions.length });
        for (const group of [...topic.consumerGroups.values()].sort((a, b) => a.id - b.id)) {
          const groupLabels = { ...topicLabels, group_id: group.id, group: group.name };
          groupMembers.push([groupLabels, group.members.size]);
          for (const partition of topic.partitions) {
            const offset = await this.storedGroupOffset(router, stream.id, topic.id, group.id, partition.id);
            if (offset === undefined) continue;
            const labels = { ...groupLabels, partition_id: partition.id };
            stored.push([labels, offset.storedOffset]);
            lag.push([labels, Math.max(0, offset.currentOffset - offset.storedOffset)]);
          }
        }
      }
    }
    out.family('iggy_topic_messages', 'gauge', 'Messages stored in a topic (all partitions).', topicSamples.map((sample) => [sample.labels, sample.messages] as const));
    out.family('iggy_topic_size_bytes', 'gauge', 'Bytes stored in a topic (all partitions).', topicSamples.map((sample) => [sample.labels, sample.bytes] as const));
    out.family('iggy_topic_partitions', 'gauge', 'Partitions of a topic.', topicSamples.map((sample) => [sample.labels, sample.partitions] as const));
    out.family('iggy_partition_messages', 'gauge', 'Messages stored in a partition.', partitionSamples.map((sample) => [sample.labels, sample.messages] as const));
    out.family('iggy_partition_size_bytes', 'gauge', 'Bytes stored in a partition.', partitionSamples.map((sample) => [sample.labels, sample.bytes] as const));
    out.family('iggy_partition_segments', 'gauge', 'Segments of a partition.', partitionSamples.map((sample) => [sample.labels, sample.segments] as const));
    out.family(
      'iggy_partition_current_offset',
      'gauge',
      'Offset of the last message of a partition (absent while the partition is empty).',
      partitionSamples.filter((sample) => !sample.empty).map((sample) => [sample.labels, sample.currentOffset] as const),
    );
    out.family('iggy_consumer_group_members', 'gauge', 'Members of a consumer group.', groupMembers);
    out.family('iggy_consumer_group_stored_offset', 'gauge', 'Offset stored by a consumer group for a partition.', stored);
    out.family('iggy_consumer_group_lag_messages', 'gauge', 'Partition current offset minus the offset stored by the consumer group.', lag);
  }

  private async storedGroupOffset(
    router: Router,
    streamId: number,
    topicId: number,
    groupId: number,
    partitionId: number,
  ): Promise<{ currentOffset: number; storedOffset: number } | undefined> {
    const payload = encodeGetConsumerOffsetRequest({ consumer: { kind: ConsumerKind.ConsumerGroup, id: groupId }, streamId, topicId, partitionId });
    const frame = Buffer.from(await router.handle(this.internalSession, CommandCode.GetConsumerOffset, payload));
    if (frame.readUInt32LE(0) !== 0) return undefined;
    const info = decodeGetConsumerOffsetResponse(frame.subarray(8, 8 + frame.readUInt32LE(4)));
    return info === undefined ? undefined : { currentOffset: info.currentOffset, storedOffset: info.storedOffset };
  }

  private renderServer(out: Exposition, state: ServerState): void {
    const counters = state.counters;
    out.family('iggy_messages_sent_total', 'counter', 'Messages appended through every transport.', [[{}, counters.messagesSent]]);
    out.family('iggy_messages_polled_total', 'counter', 'Messages returned by polls through every transport.', [[{}, counters.messagesPolled]]);
    out.family('iggy_written_bytes_total', 'counter', 'Message bytes appended through every transport.', [[{}, counters.writtenBytes]]);
    out.family('iggy_read_bytes_total', 'counter', 'Message bytes returned by polls through every transport.', [[{}, counters.readBytes]]);
    let streams = 0;
    let topics = 0;
    let partitions = 0;
    let groups = 0;
    for (const stream of state.metadata.getStreams()) {
      streams += 1;
      for (const topic of stream.topics.values()) {
        topics += 1;
        partitions += topic.partitions.length;
        groups += topic.consumerGroups.size;
      }
    }
    out.family('iggy_streams', 'gauge', 'Streams.', [[{}, streams]]);
    out.family('iggy_topics', 'gauge', 'Topics.', [[{}, topics]]);
    out.family('iggy_partitions', 'gauge', 'Partitions.', [[{}, partitions]]);
    out.family('iggy_consumer_groups', 'gauge', 'Consumer groups.', [[{}, groups]]);
    out.family('iggy_clients', 'gauge', 'Connected clients (TCP, QUIC, WebSocket and HTTP requests in progress).', [[{}, state.sessions.size]]);
    out.family('iggy_shard_requests_in_flight', 'gauge', 'Requests sent to a shard worker and not yet answered.', state.shards.inFlight.map((depth, shard) => [{ shard }, depth] as const));
  }

  private renderProcess(out: Exposition, state: ServerState): void {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    out.family('process_cpu_seconds_total', 'counter', 'User and system CPU time of the process.', [[{}, (cpu.user + cpu.system) / 1e6]]);
    out.family('process_cpu_user_seconds_total', 'counter', 'User CPU time of the process.', [[{}, cpu.user / 1e6]]);
    out.family('process_cpu_system_seconds_total', 'counter', 'System CPU time of the process.', [[{}, cpu.system / 1e6]]);
    out.family('process_resident_memory_bytes', 'gauge', 'Resident set size.', [[{}, memory.rss]]);
    out.family('process_start_time_seconds', 'gauge', 'Start of the server, seconds since epoch.', [[{}, state.startedAtUs / 1e6]]);
    out.family('iggy_uptime_seconds', 'gauge', 'Seconds since the server started.', [[{}, Math.max(0, Date.now() / 1000 - state.startedAtUs / 1e6)]]);
    out.family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use.', [[{}, memory.heapUsed]]);
    out.family('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap reserved.', [[{}, memory.heapTotal]]);
    out.family('nodejs_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JavaScript (buffers included).', [[{}, memory.external]]);
    const delay = this.loopDelay;
    const seconds = (nanoseconds: number): number => (Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0);
    out.family('nodejs_eventloop_lag_seconds', 'gauge', 'Event-loop delay of the router thread since start (mean, p50, p99, max).', [
      [{ quantile: 'mean' }, delay.count > 0 ? seconds(delay.mean) : 0],
      [{ quantile: '0.5' }, delay.count > 0 ? seconds(delay.percentile(50)) : 0],
      [{ quantile: '0.99' }, delay.count > 0 ? seconds(delay.percentile(99)) : 0],
      [{ quantile: 'max' }, delay.count > 0 ? seconds(delay.max) : 0],
    ]);
  }
}
