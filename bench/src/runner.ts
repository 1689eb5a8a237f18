/**
 * One benchmark run from start to end: the server (spawned or existing), the streams and groups, the
 * unmeasured producing phase of the consumer kinds, warm-up, the measurement with its per-second
 * sampler and progress bar, and the result. Everything the run created is removed at the end.
 */
import {
  CommandCode,
  decodeCreateConsumerGroupResponse,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodeGetStatsResponse,
  decodeGetStreamsResponse,
  encodeCreateConsumerGroupRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeDeleteStreamRequest,
  encodeGetStatsRequest,
  encodeGetStreamsRequest,
  encodeJoinConsumerGroupRequest,
  encodeLoginUserRequest,
  initHashes,
  type Stats,
} from '@iggy-ts/protocol';
import { Actor, Consumer, ProducingConsumer, Producer, RunState, buildSendFrame, type ActorRole, type BatchShape, type StreamState } from './actors.js';
import { KIND_SHAPES, type BenchConfig } from './config.js';
import { BenchError, type BenchLink } from './connection.js';
import { openConnection } from './transport-connection.js';
import { collectEnvironment } from './environment.js';
import { ProgressBar, type ProgressState } from './progress.js';
import { Recorder } from './recorder.js';
import { RESULT_SCHEMA, type ActorResult, type BenchResult, type GroupResult } from './report/model.js';
import { SpawnedServer, readCpuTimeMs, readRssBytes } from './server-process.js';

const STREAM_NAME_PREFIX = 'bench-stream-';
const TOPIC_NAME = 'bench-topic';
const GROUP_NAME = 'bench-group';
const RSS_SAMPLE_INTERVAL_MS = 250;
const PREFILL_WRITERS_MAX = 8;

export interface RunHooks {
  /** Status lines while running (stderr by default). */
  readonly log?: (line: string) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function login(connection: BenchLink, config: BenchConfig): Promise<void> {
  await connection.command(CommandCode.LoginUser, encodeLoginUserRequest({ username: config.username, password: config.password, version: 'iggy-bench' }), 'LoginUser');
}

/** Removes streams a previous run left (same names), then creates the run's streams, topics and groups. */
async function createStreams(control: BenchLink, config: BenchConfig, withGroups: boolean): Promise<StreamState[]> {
  const existing = decodeGetStreamsResponse(await control.command(CommandCode.GetStreams, encodeGetStreamsRequest(), 'GetStreams'));
  for (const stream of existing) {
    if (stream.name.startsWith(STREAM_NAME_PREFIX)) await control.command(CommandCode.DeleteStream, encodeDeleteStreamRequest({ streamId: stream.id }), `DeleteStream ${stream.name}`);
  }
  const streams: StreamState[] = [];
  for (let index = 0; index < config.streamsCount; index += 1) {
    const name = `${STREAM_NAME_PREFIX}${index + 1}`;
    const stream = decodeCreateStreamResponse(await control.command(CommandCode.CreateStream, encodeCreateStreamRequest({ name }), `CreateStream ${name}`));
    const topic = decodeCreateTopicResponse(
      await control.command(
        CommandCode.CreateTopic,
        encodeCreateTopicRequest({ streamId: stream.id, partitionsCount: config.partitionsCount, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1, name: TOPIC_NAME }),
        `CreateTopic ${name}/${TOPIC_NAME}`,
      ),
    );
    let groupId = -1;
    if (withGroups) {
      const group = decodeCreateConsumerGroupResponse(
        await control.command(CommandCode.CreateConsumerGroup, encodeCreateConsumerGroupRequest({ streamId: stream.id, topicId: topic.id, name: GROUP_NAME }), `CreateConsumerGroup ${name}`),
      );
      groupId = group.id;
    }
    streams.push({
      index,
      streamId: stream.id,
      topicId: topic.id,
      name,
      groupId,
      partitionWrittenCounts: new Float64Array(config.partitionsCount),
      writtenCount: 0,
      groupReadCount: 0,
    });
  }
  return streams;
}

async function deleteStreams(control: BenchLink, streams: readonly StreamState[]): Promise<void> {
  for (const stream of streams) await control.command(CommandCode.DeleteStream, encodeDeleteStreamRequest({ streamId: stream.streamId }), `DeleteStream ${stream.name}`);
}

/** Pinned placement: actor i → stream i mod S, partition ⌊i / S⌋ mod P. */
function pinnedPlacement(index: number, config: BenchConfig): { streamIndex: number; partition: number } {
  return { streamIndex: index % config.streamsCount, partition: Math.floor(index / config.streamsCount) % config.partitionsCount };
}

interface PrefillTarget {
  stream: StreamState;
  partition: number;
  batchesCount: number;
}

/** What the consumers of a consumer kind will read: per partition (pinned) or per stream, spread over its partitions (group). */
function prefillTargets(config: BenchConfig, streams: readonly StreamState[], group: boolean): PrefillTarget[] {
  const batchesPerConsumer = config.amount.batchesPerActor;
  const targets = new Map<string, PrefillTarget>();
  if (!group) {
    for (let i = 0; i < config.consumersCount; i += 1) {
      const { streamIndex, partition } = pinnedPlacement(i, config);
      targets.set(`${streamIndex}:${partition}`, { stream: streams[streamIndex]!, partition, batchesCount: batchesPerConsumer });
    }
    return [...targets.values()];
  }
  const consumersPerStream = new Array<number>(config.streamsCount).fill(0);
  for (let i = 0; i < config.consumersCount; i += 1) consumersPerStream[i % config.streamsCount]! += 1;
  const result: PrefillTarget[] = [];
  for (const stream of streams) {
    const batchesCount = consumersPerStream[stream.index]! * batchesPerConsumer;
    for (let partition = 0; partition < config.partitionsCount; partition += 1) {
      const share = Math.floor(batchesCount / config.partitionsCount) + (partition < batchesCount % config.partitionsCount ? 1 : 0);
      if (share > 0) result.push({ stream, partition, batchesCount: share });
    }
  }
  return result;
}

/** The unmeasured producing phase before a consumer kind: write every target with pinned batches. */
async function prefill(host: string, port: number, config: BenchConfig, targets: readonly PrefillTarget[], shape: BatchShape, run: RunState, onBatch: () => void): Promise<void> {
  const queue = [...targets];
  const writer = async (): Promise<void> => {
    const connection = await openConnection(config.transport, host, port);
    try {
      await login(connection, config);
      for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
        const frame = buildSendFrame(target.stream, target.partition, shape);
        for (let i = 0; i < target.batchesCount; i += 1) {
          if (run.failure !== undefined) return;
          await connection.send(frame);
          if (connection.status !== 0) throw new BenchError(`prefill of ${target.stream.name}/${target.partition} failed with status ${connection.status}`, connection.status);
          target.stream.writtenCount += shape.messagesPerBatch;
          target.stream.partitionWrittenCounts[target.partition]! += shape.messagesPerBatch;
          run.liveMessagesCount += shape.messagesPerBatch;
          run.livePayloadBytes += shape.messagesPerBatch * shape.messageSizeBytes;
          onBatch();
        }
      }
    } finally {
      await connection.close();
    }
  };
  const writers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(PREFILL_WRITERS_MAX, targets.length); i += 1) writers.push(writer());
  await Promise.all(writers);
}

function actorResult(actor: Actor): ActorResult {
  const recorder = actor.recorder;
  const durationS = Math.max(1e-9, (recorder.finishMs - recorder.startMs) / 1000);
  return {
    role: actor.role,
    id: actor.id,
    streamName: actor.stream.name,
    partitionId: actor.partition ?? null,
    messagesCount: recorder.messagesCount,
    payloadBytes: recorder.payloadBytes,
    batchesCount: recorder.batchesCount,
    durationS,
    messagesPerSecond: recorder.messagesCount / durationS,
    megabytesPerSecond: recorder.payloadBytes / 1e6 / durationS,
    latency: recorder.histogram.summary(),
    samples: recorder.samples,
  };
}

function groupResult(role: ActorRole, recorder: Recorder, actors: readonly ActorResult[]): GroupResult {
  let messagesPerSecond = 0;
  let megabytesPerSecond = 0;
  for (const actor of actors) {
    messagesPerSecond += actor.messagesPerSecond;
    megabytesPerSecond += actor.megabytesPerSecond;
  }
  return {
    role,
    actorsCount: actors.length,
    messagesCount: recorder.messagesCount,
    payloadBytes: recorder.payloadBytes,
    batchesCount: recorder.batchesCount,
    durationS: (recorder.finishMs - recorder.startMs) / 1000,
    messagesPerSecond,
    megabytesPerSecond,
    latency: recorder.histogram.summary(),
    samples: recorder.samples,
  };
}

/** Runs one benchmark as configured and returns its result. Throws BenchError when the run fails. */
export async function runBenchmark(config: BenchConfig, hooks: RunHooks = {}): Promise<BenchResult> {
  const log = hooks.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const shape = KIND_SHAPES[config.kind];
  const batch: BatchShape = { messagesPerBatch: config.messagesPerBatch, messageSizeBytes: config.messageSizeBytes };
  const startedAt = new Date();
  const environment = collectEnvironment();
  await initHashes();

  let spawned: SpawnedServer | undefined;
  let control: BenchLink | undefined;
  let streams: StreamState[] = [];
  const connections: BenchLink[] = [];
  let rssTimer: NodeJS.Timeout | undefined;
  let sampleTimer: NodeJS.Timeout | undefined;
  let progress: ProgressBar | undefined;
  let rssBytesMax: number | undefined;
  const resourceSamples: { timeS: number; rssBytes: number; cpuPercent: number }[] = [];
  let serverCpuStartMs: number | undefined;
  let serverCpuEndMs: number | undefined;
  let clientCpuStart: NodeJS.CpuUsage | undefined;
  let clientCpuPercentMean = 0;

  try {
    if (config.server === 'spawn') {
      log(`iggy-bench: starting the server (${config.durability}${config.shards === undefined ? '' : `, ${config.shards} shards`}${config.serverNodeArgs.length > 0 ? `, node ${config.serverNodeArgs.join(' ')}` : ''})`);
      spawned = await SpawnedServer.start({
        serverBinary: config.serverBinary,
        nodeArgs: config.serverNodeArgs,
        dataPath: config.dataPath,
        durability: config.durability,
        shards: config.shards,
        username: config.username,
        password: config.password,
        transport: config.transport,
      });
    }
    const host = spawned?.host ?? config.address!.host;
    const port = spawned?.transportPort ?? config.address!.port;
    const serverPid = spawned?.pid ?? config.serverPid;
    if (serverPid !== undefined) {
      const sampleRss = (): void => {
        const rss = readRssBytes(serverPid);
        if (rss !== undefined && (rssBytesMax === undefined || rss > rssBytesMax)) rssBytesMax = rss;
      };
      sampleRss();
      rssTimer = setInterval(sampleRss, RSS_SAMPLE_INTERVAL_MS);
    }

    control = await openConnection(config.transport, host, port);
    await login(control, config);
    let stats: Stats | undefined;
    try {
      stats = decodeGetStatsResponse(await control.command(CommandCode.GetStats, encodeGetStatsRequest(), 'GetStats'));
    } catch {
      stats = undefined; // facts only; a server without GetStats still runs the benchmark
    }
    streams = await createStreams(control, config, shape.consumerGroups);
    const run = new RunState(streams);

    // The role whose amount is measured and limited.
    const primaryRole: ActorRole = shape.producingConsumers ? 'producing-consumer' : shape.hasProducers ? 'producer' : 'consumer';
    const primaryCount = primaryRole === 'consumer' ? config.consumersCount : config.producersCount;
    const rateLimitBytesPerSecond = config.rateLimitBytesPerSecond === undefined ? undefined : config.rateLimitBytesPerSecond / primaryCount;

    // Progress bar (stderr, TTY only).
    let progressPhase = 'setup';
    let phaseStartMs = performance.now();
    let prefillDone = 0;
    let prefillTotal = 0;
    let lastBytes = 0;
    let lastMessages = 0;
    let lastMs = performance.now();
    let megabytesPerSecond = 0;
    let messagesPerSecond = 0;
    const actors: Actor[] = [];
    const readProgress = (): ProgressState => {
      const nowMs = performance.now();
      if (nowMs - lastMs >= 500) {
        megabytesPerSecond = (run.livePayloadBytes - lastBytes) / 1000 / (nowMs - lastMs);
        messagesPerSecond = ((run.liveMessagesCount - lastMessages) * 1000) / (nowMs - lastMs);
        lastBytes = run.livePayloadBytes;
        lastMessages = run.liveMessagesCount;
        lastMs = nowMs;
      }
      let fraction: number | undefined;
      if (progressPhase === 'prefill') fraction = prefillDone / Math.max(1, prefillTotal);
      else if (progressPhase === 'warm-up') fraction = (nowMs - phaseStartMs) / Math.max(1, config.warmupMs);
      else if (progressPhase === 'measure') {
        let done = 0;
        let total = 0;
        for (const actor of actors) {
          if (actor.role !== primaryRole) continue;
          done += actor.progressDone;
          total += actor.progressTotal;
        }
        const countFraction = Number.isFinite(total) && total > 0 ? done / total : 0;
        const timeFraction = Number.isFinite(run.deadlineMs) ? (nowMs - run.measureStartMs) / (run.deadlineMs - run.measureStartMs) : 0;
        fraction = Math.max(countFraction, timeFraction);
      }
      return { phase: progressPhase, fraction, megabytesPerSecond, messagesPerSecond, elapsedMs: nowMs - phaseStartMs };
    };
    progress = new ProgressBar(config.progress, config.kind, readProgress);
    progress.start();

    // The unmeasured producing phase of the consumer kinds.
    if (shape.prefill) {
      const targets = prefillTargets(config, streams, shape.consumerGroups);
      for (const target of targets) prefillTotal += target.batchesCount;
      progressPhase = 'prefill';
      phaseStartMs = performance.now();
      run.phase = 'prefill';
      await prefill(host, port, config, targets, batch, run, () => (prefillDone += 1));
      if (run.failure !== undefined) throw run.failure;
      run.writersFinished = true;
    }

    // Actors, each on its own connection.
    const groupRecorders = new Map<ActorRole, Recorder>();
    const finishedCounts = new Map<ActorRole, number>();
    const roleCounts = new Map<ActorRole, number>();
    const groupRecorder = (role: ActorRole): Recorder => {
      let recorder = groupRecorders.get(role);
      if (recorder === undefined) {
        recorder = new Recorder();
        groupRecorders.set(role, recorder);
      }
      roleCounts.set(role, (roleCounts.get(role) ?? 0) + 1);
      return recorder;
    };
    const onFinished = (actor: Actor): void => {
      const finished = (finishedCounts.get(actor.role) ?? 0) + 1;
      finishedCounts.set(actor.role, finished);
      if (finished === roleCounts.get(actor.role)) {
        groupRecorders.get(actor.role)!.finish(performance.now());
        if (actor.role === 'producer') run.writersFinished = true;
      }
    };
    let sendingDoneCount = 0;
    const onSendingDone = (): void => {
      sendingDoneCount += 1;
      if (sendingDoneCount === config.producersCount) run.writersFinished = true;
    };
    const connect = async (): Promise<BenchLink> => {
      const connection = await openConnection(config.transport, host, port);
      connections.push(connection);
      await login(connection, config);
      return connection;
    };
    const join = async (connection: BenchLink, stream: StreamState): Promise<void> => {
      await connection.command(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId: stream.streamId, topicId: stream.topicId, groupId: stream.groupId }), `JoinConsumerGroup ${stream.name}`);
    };
    const batchesTarget = config.amount.batchesPerActor >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : config.amount.batchesPerActor;
    const common = (role: ActorRole, index: number, streamIndex: number, partition: number | undefined, connection: BenchLink) => ({
      role,
      id: index + 1,
      stream: streams[streamIndex]!,
      partition,
      connection,
      recorder: new Recorder(groupRecorder(role)),
      shape: batch,
      batchesTarget,
      rateLimitBytesPerSecond: role === primaryRole ? rateLimitBytesPerSecond : undefined,
      run,
      onFinished,
    });

    if (shape.hasProducers) {
      for (let i = 0; i < config.producersCount; i += 1) {
        const placement = pinnedPlacement(i, config);
        const partition = shape.partitioning === 'pinned' ? placement.partition : undefined;
        actors.push(new Producer(common('producer', i, placement.streamIndex, partition, await connect())));
      }
    }
    if (shape.hasConsumers) {
      const consumersPerStream = new Array<number>(config.streamsCount).fill(0);
      for (let i = 0; i < config.consumersCount; i += 1) consumersPerStream[i % config.streamsCount]! += 1;
      for (let i = 0; i < config.consumersCount; i += 1) {
        const placement = pinnedPlacement(i, config);
        const connection = await connect();
        if (shape.consumerGroups) await join(connection, streams[placement.streamIndex]!);
        actors.push(
          new Consumer({
            ...common('consumer', i, placement.streamIndex, shape.consumerGroups ? undefined : placement.partition, connection),
            group: shape.consumerGroups,
            prefilled: shape.prefill,
            warmupPartition: placement.partition,
            groupSize: shape.consumerGroups ? consumersPerStream[placement.streamIndex]! : 1,
          }),
        );
      }
    }
    if (shape.producingConsumers) {
      for (let i = 0; i < config.producersCount; i += 1) {
        const placement = pinnedPlacement(i, config);
        const connection = await connect();
        if (shape.consumerGroups) await join(connection, streams[placement.streamIndex]!);
        actors.push(
          new ProducingConsumer({
            ...common('producing-consumer', i, placement.streamIndex, shape.consumerGroups ? undefined : placement.partition, connection),
            group: shape.consumerGroups,
            onSendingDone,
          }),
        );
      }
    }

    // Warm-up (unrecorded), then the measurement.
    const beginMeasure = (): void => {
      const nowMs = performance.now();
      run.phase = 'measure';
      run.measureStartMs = nowMs;
      run.deadlineMs = config.durationMs === undefined ? Number.POSITIVE_INFINITY : nowMs + config.durationMs;
      for (const recorder of groupRecorders.values()) recorder.begin(nowMs);
      for (const actor of actors) actor.beginMeasure(nowMs);
      progressPhase = 'measure';
      phaseStartMs = nowMs;
      clientCpuStart = process.cpuUsage();
      let lastTickMs = nowMs;
      let lastCpuMs = serverPid === undefined ? undefined : readCpuTimeMs(serverPid);
      serverCpuStartMs = lastCpuMs;
      sampleTimer = setInterval(() => {
        const tickMs = performance.now();
        for (const actor of actors) actor.recorder.closeInterval(tickMs);
        for (const recorder of groupRecorders.values()) recorder.closeInterval(tickMs);
        if (serverPid !== undefined) {
          const rss = readRssBytes(serverPid);
          const cpuMs = readCpuTimeMs(serverPid);
          if (rss !== undefined && cpuMs !== undefined && lastCpuMs !== undefined) {
            resourceSamples.push({ timeS: (tickMs - run.measureStartMs) / 1000, rssBytes: rss, cpuPercent: ((cpuMs - lastCpuMs) * 100) / (tickMs - lastTickMs) });
          }
          lastCpuMs = cpuMs;
        }
        lastTickMs = tickMs;
      }, 1000);
    };
    if (config.warmupMs > 0) {
      run.phase = 'warmup';
      progressPhase = 'warm-up';
      phaseStartMs = performance.now();
    } else beginMeasure();
    const running = actors.map((actor) => actor.run());
    if (config.warmupMs > 0) {
      const warmupEndMs = performance.now() + config.warmupMs;
      while (performance.now() < warmupEndMs && run.failure === undefined) await sleep(Math.min(50, warmupEndMs - performance.now()));
      beginMeasure();
    }
    await Promise.all(running);
    const measureEndMs = performance.now();
    if (clientCpuStart !== undefined) {
      const used = process.cpuUsage(clientCpuStart);
      clientCpuPercentMean = ((used.user + used.system) / 1000 / Math.max(1, measureEndMs - run.measureStartMs)) * 100;
    }
    if (serverPid !== undefined) serverCpuEndMs = readCpuTimeMs(serverPid);
    run.phase = 'done';
    clearInterval(sampleTimer);
    sampleTimer = undefined;
    progress.stop();
    if (run.failure !== undefined) throw run.failure;
    if (serverPid !== undefined) {
      const rss = readRssBytes(serverPid);
      if (rss !== undefined) rssBytesMax = Math.max(rssBytesMax ?? 0, rss);
    }

    const actorResults = actors.map(actorResult);
    const groups: GroupResult[] = [];
    for (const [role, recorder] of groupRecorders) groups.push(groupResult(role, recorder, actorResults.filter((actor) => actor.role === role)));
    const prefillMessagesCount = shape.prefill ? streams.reduce((sum, stream) => sum + stream.writtenCount, 0) : 0;
    return {
      schema: RESULT_SCHEMA,
      kind: config.kind,
      description: shape.description,
      transport: config.transport,
      commandLine: config.commandLine,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      smoke: config.smoke,
      parameters: {
        streamsCount: config.streamsCount,
        partitionsCount: config.partitionsCount,
        producersCount: config.producersCount,
        consumersCount: config.consumersCount,
        messagesPerBatch: config.messagesPerBatch,
        messageSizeBytes: config.messageSizeBytes,
        batchesPerActor: Number.isFinite(batchesTarget) ? batchesTarget : null,
        totalSizeBytes: config.amount.kind === 'total-size' ? config.amount.totalSizeBytes : null,
        durationMs: config.durationMs ?? null,
        rateLimitBytesPerSecond: config.rateLimitBytesPerSecond ?? null,
        warmupMs: config.warmupMs,
        prefillMessagesCount,
      },
      groups,
      actors: actorResults,
      server: {
        mode: config.server,
        address: `${host}:${port}`,
        pid: serverPid,
        durability: spawned === undefined ? undefined : config.durability,
        shards: config.shards,
        dataPath: spawned?.dataPath,
        serverBinary: spawned?.serverBinary,
        nodeArgs: [...config.serverNodeArgs],
        version: stats?.iggyServerVersion,
        threadsCount: stats?.threadsCount,
        hostname: stats?.hostname,
        rssBytesMax,
        cpuPercentMean:
          serverCpuStartMs === undefined || serverCpuEndMs === undefined ? undefined : ((serverCpuEndMs - serverCpuStartMs) * 100) / Math.max(1, measureEndMs - run.measureStartMs),
        resourceSamples,
      },
      client: { cpuPercentMean: clientCpuPercentMean },
      environment,
    };
  } catch (error) {
    if (spawned !== undefined && spawned.hasExited) throw new BenchError(`${(error as Error).message}\nthe server exited; its last output:\n${spawned.logTail()}`);
    throw error;
  } finally {
    progress?.stop();
    if (sampleTimer !== undefined) clearInterval(sampleTimer);
    if (rssTimer !== undefined) clearInterval(rssTimer);
    for (const connection of connections) await connection.close();
    if (control !== undefined) {
      // An existing server keeps no bench streams unless asked to (a spawned one is deleted whole).
      if (spawned === undefined && !config.keepData) await deleteStreams(control, streams).catch(() => undefined);
      await control.close();
    }
    if (spawned !== undefined) await spawned.stop(config.keepData);
  }
}
