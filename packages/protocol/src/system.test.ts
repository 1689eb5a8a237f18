import { describe, expect, it } from 'vitest';
import {
  NO_USER_ID,
  STATS_HEADER_SIZE_BYTES,
  type Stats,
  decodeGetClientRequest,
  decodeGetClientResponse,
  decodeGetClientsResponse,
  decodeGetClusterMetadataResponse,
  decodeGetMeResponse,
  decodeGetSnapshotRequest,
  decodeGetSnapshotResponse,
  decodeGetStatsResponse,
  decodePingRequest,
  decodePingResponse,
  encodeGetClientRequest,
  encodeGetClientResponse,
  encodeGetClientsResponse,
  encodeGetClusterMetadataRequest,
  encodeGetClusterMetadataResponse,
  encodeGetMeRequest,
  encodeGetMeResponse,
  encodeGetSnapshotRequest,
  encodeGetSnapshotResponse,
  encodeGetStatsRequest,
  encodeGetStatsResponse,
  encodePingRequest,
  encodePingResponse,
} from './system.js';
import { encodeRequestFrame } from './framing.js';
import { expectCodec, expectDecodeError, hex } from '../test/helpers.js';

const stats: Stats = {
  processId: 1234,
  cpuUsage: 0.5,
  totalCpuUsage: 12.25,
  memoryUsage: 1 << 20,
  totalMemory: 2 ** 34,
  availableMemory: 2 ** 33,
  runTime: 60_000_000,
  startTime: 1_700_000_000_000_000,
  readBytes: 1,
  writtenBytes: 2,
  messagesSizeBytes: 3,
  streamsCount: 4,
  topicsCount: 5,
  partitionsCount: 6,
  segmentsCount: 7,
  messagesCount: 8,
  clientsCount: 9,
  consumerGroupsCount: 10,
  hostname: 'host',
  osName: 'Linux',
  osVersion: '6.1',
  kernelVersion: '6.1.0',
  iggyServerVersion: '0.8.0',
  iggyServerSemver: 8000,
  cacheMetrics: [{ streamId: 1, topicId: 2, partitionId: 3, hits: 4, misses: 5, hitRatio: 0.75 }],
  threadsCount: 16,
  freeDiskSpace: 2 ** 40,
  totalDiskSpace: 2 ** 41,
};

describe('Ping', () => {
  it('has empty payloads in both directions', () => {
    expect(encodeRequestFrame(1, encodePingRequest())).toEqual(hex('04 00 00 00 01 00 00 00'));
    expect(decodePingRequest(Buffer.alloc(0))).toBeUndefined();
    expect(encodePingResponse()).toHaveLength(0);
    expect(decodePingResponse(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('GetStats', () => {
  it('has a 108-byte numeric header followed by strings', () => {
    const bytes = encodeGetStatsResponse(stats);
    expect(bytes.readUInt32LE(104)).toBe(10);
    expect(bytes.readUInt32LE(STATS_HEADER_SIZE_BYTES)).toBe(4);
    expect(bytes.subarray(112, 116).toString()).toBe('host');
    expect(encodeGetStatsRequest()).toHaveLength(0);
  });

  it('round-trips and rejects truncations except right after kernel_version', () => {
    const tailStart = STATS_HEADER_SIZE_BYTES + 8 + 9 + 7 + 9;
    expectCodec(encodeGetStatsResponse, decodeGetStatsResponse, stats, [tailStart]);
  });

  it('decodes a payload that ends after kernel_version, as the Node SDK reads it', () => {
    const bytes = encodeGetStatsResponse(stats);
    const short = decodeGetStatsResponse(bytes.subarray(0, STATS_HEADER_SIZE_BYTES + 33));
    expect(short.kernelVersion).toBe('6.1.0');
    expect(short.iggyServerVersion).toBe('');
    expect(short.cacheMetrics).toEqual([]);
  });
});

describe('GetSnapshot', () => {
  it('encodes compression, count and types', () => {
    expect(expectCodec(encodeGetSnapshotRequest, decodeGetSnapshotRequest, { compression: 2, types: [1, 3] })).toEqual(hex('02 02 01 03'));
    expectCodec(encodeGetSnapshotRequest, decodeGetSnapshotRequest, { compression: 1, types: [100] });
  });

  it('rejects unknown compressions and types, and All mixed with others, with 3', () => {
    expectDecodeError(() => decodeGetSnapshotRequest(hex('07 01 01')), 3);
    expectDecodeError(() => decodeGetSnapshotRequest(hex('01 01 07')), 3);
    expectDecodeError(() => decodeGetSnapshotRequest(hex('01 02 64 01')), 3);
  });

  it('passes the archive bytes through', () => {
    const zip = hex('50 4b 05 06');
    expect(decodeGetSnapshotResponse(encodeGetSnapshotResponse(zip))).toBe(zip);
  });
});

describe('GetClusterMetadata', () => {
  it('round-trips the single-node answer and rejects truncations', () => {
    expect(encodeGetClusterMetadataRequest()).toHaveLength(0);
    const bytes = expectCodec(encodeGetClusterMetadataResponse, decodeGetClusterMetadataResponse, {
      name: 'single-node',
      nodes: [{ name: 'iggy-node', ip: '127.0.0.1', tcpPort: 8090, quicPort: 8080, httpPort: 3000, websocketPort: 8092, role: 0, status: 0 }],
    });
    expect(bytes.subarray(bytes.length - 10)).toEqual(hex('9a1f 901f b80b 9c1f 00 00'));
  });
});

describe('clients', () => {
  const details = {
    clientId: 0xdeadbeef,
    userId: NO_USER_ID,
    transport: 1,
    address: '127.0.0.1:50000',
    consumerGroupsCount: 1,
    consumerGroups: [{ streamId: 1, topicId: 2, groupId: 3 }],
  };

  it('lays out the client header in 17 + a bytes followed by group entries', () => {
    const bytes = encodeGetMeResponse(details);
    expect(bytes).toHaveLength(17 + 15 + 12);
    expect(bytes.subarray(0, 13)).toEqual(hex('efbeadde ffffffff 01 0f000000'));
    expect(encodeGetMeRequest()).toHaveLength(0);
  });

  it('round-trips GetMe and GetClient, the latter empty when unknown', () => {
    expectCodec(encodeGetMeResponse, decodeGetMeResponse, details);
    expectCodec(encodeGetClientResponse, decodeGetClientResponse, details, [0]);
    expect(decodeGetClientResponse(Buffer.alloc(0))).toBeUndefined();
    expect(expectCodec(encodeGetClientRequest, decodeGetClientRequest, { clientId: 7 })).toEqual(hex('07000000'));
  });

  it('lists client headers without group entries', () => {
    const { consumerGroups: _groups, ...header } = details;
    const list = [header, { ...header, clientId: 1, userId: 0, address: '[::1]:1' }];
    expectCodec(encodeGetClientsResponse, decodeGetClientsResponse, list, [0, 32]);
  });
});
