/** Ping, GetStats, GetSnapshot, GetClusterMetadata, GetMe, GetClient, GetClients. */
import os from 'node:os';
import { statfsSync } from 'node:fs';
import {
  CommandCode,
  ErrorCode,
  IggyError,
  decodeGetClientRequest,
  decodeGetClientsRequest,
  decodeGetClusterMetadataRequest,
  decodeGetSnapshotRequest,
  decodeGetMeRequest,
  decodeGetStatsRequest,
  decodePingRequest,
  encodeGetClientResponse,
  encodeGetClientsResponse,
  encodeGetClusterMetadataResponse,
  encodeGetMeResponse,
  encodeGetSnapshotResponse,
  encodeGetStatsResponse,
  type CacheMetric,
} from '@iggy-ts/protocol';
import { canGetStats, canReadServers, ensurePermitted } from '../../metadata/permissions.js';
import { createSnapshot } from '../../snapshot/snapshot.js';
import { command, type Command } from '../command.js';
import type { Context, ServerState } from '../context.js';
import { clientDetails } from '../views.js';
import { permissionsOf } from './auth.js';

/** The protocol version this server speaks; clients gate features on it. */
export const IGGY_PROTOCOL_VERSION = '0.8.0';
const IGGY_PROTOCOL_SEMVER = 8000;

let lastCpuSample = { usage: process.cpuUsage(), atMs: Date.now(), system: systemCpuTimes() };

function systemCpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** CPU use of this process and of the whole machine since the previous call, in percent. */
function cpuUsagePercent(): { process: number; total: number } {
  const now = Date.now();
  const usage = process.cpuUsage();
  const system = systemCpuTimes();
  const elapsedUs = Math.max(1, (now - lastCpuSample.atMs) * 1000);
  const processUs = usage.user - lastCpuSample.usage.user + usage.system - lastCpuSample.usage.system;
  const busy = system.busy - lastCpuSample.system.busy;
  const total = system.total - lastCpuSample.system.total;
  lastCpuSample = { usage, atMs: now, system };
  return { process: (processUs / elapsedUs) * 100, total: total > 0 ? (busy / total) * 100 : 0 };
}

export function collectStats(state: ServerState): Parameters<typeof encodeGetStatsResponse>[0] {
  let streamsCount = 0;
  let topicsCount = 0;
  let partitionsCount = 0;
  let consumerGroupsCount = 0;
  let segmentsCount = 0;
  let messagesCount = 0;
  let messagesSizeBytes = 0;
  const cacheMetrics: CacheMetric[] = [];
  for (const stream of state.metadata.getStreams()) {
    streamsCount += 1;
    for (const topic of stream.topics.values()) {
      topicsCount += 1;
      consumerGroupsCount += topic.consumerGroups.size;
      for (const partition of topic.partitions) {
        partitionsCount += 1;
        const figures = state.stats.get({ streamId: stream.id, topicId: topic.id, partitionId: partition.id });
        segmentsCount += figures.segmentsCount;
        messagesCount += figures.messagesCount;
        messagesSizeBytes += figures.sizeBytes;
        const lookups = figures.cacheHits + figures.cacheMisses;
        if (lookups > 0) {
          cacheMetrics.push({
            streamId: stream.id,
            topicId: topic.id,
            partitionId: partition.id,
            hits: figures.cacheHits,
            misses: figures.cacheMisses,
            hitRatio: figures.cacheHits / lookups,
          });
        }
      }
    }
  }
  let freeDiskSpace = 0;
  let totalDiskSpace = 0;
  try {
    const fs = statfsSync(state.config.system.path);
    freeDiskSpace = fs.bavail * fs.bsize;
    totalDiskSpace = fs.blocks * fs.bsize;
  } catch {
    // The data directory is always there while the server runs; zeros only if the file system refuses.
  }
  const cpu = cpuUsagePercent();
  const nowUs = Date.now() * 1000;
  return {
    processId: process.pid,
    cpuUsage: cpu.process,
    totalCpuUsage: cpu.total,
    memoryUsage: process.memoryUsage.rss(),
    totalMemory: os.totalmem(),
    availableMemory: os.freemem(),
    runTime: nowUs - state.startedAtUs,
    startTime: state.startedAtUs,
    readBytes: state.counters.readBytes,
    writtenBytes: state.counters.writtenBytes,
    messagesSizeBytes,
    streamsCount,
    topicsCount,
    partitionsCount,
    segmentsCount,
    messagesCount,
    clientsCount: state.sessions.size,
    consumerGroupsCount,
    hostname: os.hostname(),
    osName: os.type(),
    osVersion: os.release(),
    kernelVersion: os.version(),
    iggyServerVersion: IGGY_PROTOCOL_VERSION,
    iggyServerSemver: IGGY_PROTOCOL_SEMVER,
    cacheMetrics,
    threadsCount: state.shards.shardsCount + 1,
    freeDiskSpace,
    totalDiskSpace,
  };
}

function requireServerReader(context: Context): void {
  ensurePermitted(canReadServers(permissionsOf(context)));
}

export const systemCommands: Command<unknown>[] = [
  command(
    CommandCode.Ping,
    decodePingRequest,
    (context) => {
      context.session.lastHeartbeatMs = Date.now();
      return undefined;
    },
    false,
  ),
  command(CommandCode.GetStats, decodeGetStatsRequest, (context) => {
    ensurePermitted(canGetStats(permissionsOf(context)));
    return encodeGetStatsResponse(collectStats(context.state));
  }),
  // Any logged-in user may take a snapshot (0.8 checks nothing beyond login, reference 3.3).
  command(CommandCode.GetSnapshot, decodeGetSnapshotRequest, async (context, request) => {
    const { state } = context;
    const archive = await createSnapshot(request, {
      dataPath: state.config.system.path,
      config: state.config,
      server: {
        version: IGGY_PROTOCOL_VERSION,
        startedAtUs: state.startedAtUs,
        shardsCount: state.shards.shardsCount,
        clientsCount: state.sessions.size,
        streamsCount: state.metadata.getStreams().length,
      },
    });
    return encodeGetSnapshotResponse(archive);
  }),
  command(CommandCode.GetClusterMetadata, decodeGetClusterMetadataRequest, (context) => {
    const { state } = context;
    return encodeGetClusterMetadataResponse({
      name: 'single-node',
      nodes: [
        {
          name: 'iggy-node',
          ip: state.host,
          tcpPort: state.boundPorts.tcp,
          quicPort: state.boundPorts.quic,
          httpPort: state.boundPorts.http,
          websocketPort: state.boundPorts.websocket,
          role: 0,
          status: 0,
        },
      ],
    });
  }),
  command(CommandCode.GetMe, decodeGetMeRequest, (context) => encodeGetMeResponse(clientDetails(context.session))),
  command(CommandCode.GetClient, decodeGetClientRequest, (context, request) => {
    requireServerReader(context);
    if (request.clientId === 0) throw new IggyError(ErrorCode.InvalidClientId);
    const session = context.state.sessions.get(request.clientId);
    return session === undefined ? undefined : encodeGetClientResponse(clientDetails(session));
  }),
  command(CommandCode.GetClients, decodeGetClientsRequest, (context) => {
    requireServerReader(context);
    return encodeGetClientsResponse([...context.state.sessions.all()].map(clientDetails));
  }),
];
