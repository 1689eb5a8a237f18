/** `iggy ping`, `iggy stats`, `iggy me`, `iggy client list|get`, `iggy snapshot`. */
import { writeFile } from 'node:fs/promises';
import { type ClientDetails, type ClientInfo, NO_USER_ID, SnapshotCompression, SnapshotType, TransportKind } from '@iggy-ts/sdk';
import { CliError, UsageError } from '../errors.js';
import { formatBytes, formatDurationUs, formatKeyValues, formatTable, formatTimestampUs } from '../output.js';
import { snakeCase } from '../values.js';
import { type CommandSpec, done, print } from './command.js';

const TRANSPORT_NAMES: Readonly<Record<number, string>> = {
  [TransportKind.Tcp]: 'tcp',
  [TransportKind.Quic]: 'quic',
  [TransportKind.Http]: 'http',
  [TransportKind.WebSocket]: 'ws',
};

function userText(userId: number): string {
  return userId === NO_USER_ID ? '-' : String(userId);
}

function clientRow(client: ClientInfo): unknown[] {
  return [client.clientId, userText(client.userId), TRANSPORT_NAMES[client.transport] ?? client.transport, client.address, client.consumerGroupsCount];
}

function clientText(client: ClientDetails): string {
  const details = formatKeyValues([
    ['client id', client.clientId],
    ['user id', userText(client.userId)],
    ['transport', TRANSPORT_NAMES[client.transport] ?? client.transport],
    ['address', client.address],
    ['consumer groups', client.consumerGroupsCount],
  ]);
  if (client.consumerGroups.length === 0) return details;
  return `${details}\n\n${formatTable(['STREAM', 'TOPIC', 'GROUP'], client.consumerGroups.map((group) => [group.streamId, group.topicId, group.groupId]))}`;
}

/** Snapshot compression and type names: snake_case of the SDK's constants. */
const COMPRESSIONS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(SnapshotCompression).map(([name, value]) => [snakeCase(name[0]!.toLowerCase() + name.slice(1)), value]));
const SNAPSHOT_TYPES: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(SnapshotType).map(([name, value]) => [snakeCase(name[0]!.toLowerCase() + name.slice(1)), value]));

function defaultSnapshotFile(now = new Date()): string {
  return `iggy-snapshot-${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.zip`;
}

export const systemCommands: readonly CommandSpec[] = [
  {
    path: ['ping'],
    describe: 'Check that the server answers (no login needed)',
    options: { count: { type: 'string', requiresArg: true, describe: 'Pings to send (default 1)' } },
    async run(context, args) {
      const count = args.optionalInteger('count', 1, 1_000_000) ?? 1;
      const client = await context.client();
      const timesMs: number[] = [];
      for (let index = 0; index < count; index += 1) {
        const started = process.hrtime.bigint();
        await client.ping();
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        timesMs.push(elapsedMs);
        if (context.output === 'text') context.io.out(`pong from ${context.connection.address}: ${elapsedMs.toFixed(2)} ms`);
      }
      if (context.output === 'json') context.io.out(JSON.stringify({ address: context.connection.address, timesMs }, null, 2));
    },
  },
  {
    path: ['stats'],
    describe: 'Server statistics',
    async run(context) {
      const stats = await (await context.client()).getStats();
      print(
        context,
        formatKeyValues([
          ['server version', stats.iggyServerVersion],
          ['hostname', stats.hostname],
          ['os', `${stats.osName} ${stats.osVersion} (kernel ${stats.kernelVersion})`],
          ['process id', stats.processId],
          ['started', formatTimestampUs(stats.startTime)],
          ['run time', formatDurationUs(BigInt(Math.round(stats.runTime)))],
          ['threads', stats.threadsCount],
          ['cpu usage', `${stats.cpuUsage.toFixed(2)} %`],
          ['total cpu usage', `${stats.totalCpuUsage.toFixed(2)} %`],
          ['memory usage', formatBytes(stats.memoryUsage)],
          ['total memory', formatBytes(stats.totalMemory)],
          ['available memory', formatBytes(stats.availableMemory)],
          ['free disk space', formatBytes(stats.freeDiskSpace)],
          ['total disk space', formatBytes(stats.totalDiskSpace)],
          ['read', formatBytes(stats.readBytes)],
          ['written', formatBytes(stats.writtenBytes)],
          ['streams', stats.streamsCount],
          ['topics', stats.topicsCount],
          ['partitions', stats.partitionsCount],
          ['segments', stats.segmentsCount],
          ['messages', stats.messagesCount],
          ['messages size', formatBytes(stats.messagesSizeBytes)],
          ['clients', stats.clientsCount],
          ['consumer groups', stats.consumerGroupsCount],
        ]),
        stats,
      );
    },
  },
  {
    path: ['me'],
    describe: 'This connection as the server sees it',
    async run(context) {
      const me = await (await context.client()).getMe();
      print(context, clientText(me), me);
    },
  },
  {
    path: ['client', 'list'],
    describe: 'List connected clients',
    async run(context) {
      const clients = await (await context.client()).getClients();
      clients.sort((a, b) => a.clientId - b.clientId);
      print(context, formatTable(['ID', 'USER', 'TRANSPORT', 'ADDRESS', 'GROUPS'], clients.map(clientRow)), clients);
    },
  },
  {
    path: ['client', 'get'],
    describe: 'Show a connected client',
    positionals: [{ name: 'client', describe: 'Client id' }],
    async run(context, args) {
      const clientId = args.integer('client', 0, 0xffff_ffff);
      const client = await (await context.client()).getClient({ clientId });
      if (client === undefined) throw new CliError(`client ${clientId} not found`);
      print(context, clientText(client), client);
    },
  },
  {
    path: ['snapshot'],
    describe: 'Download a ZIP of diagnostic files from the server',
    options: {
      'output-file': { type: 'string', requiresArg: true, describe: 'Where to write the ZIP (default iggy-snapshot-<time>.zip)' },
      compression: { type: 'string', requiresArg: true, choices: Object.keys(COMPRESSIONS), describe: 'ZIP compression (default deflated)' },
      types: { type: 'string', requiresArg: true, describe: `What to include, comma-separated: ${Object.keys(SNAPSHOT_TYPES).join(', ')} (default all)` },
    },
    examples: [['iggy snapshot --output-file snapshot.zip --types server_config,server_logs', 'configuration and logs only']],
    async run(context, args) {
      const file = args.optionalString('output-file') ?? defaultSnapshotFile();
      const compression = COMPRESSIONS[args.optionalString('compression') ?? 'deflated']!;
      const typesText = args.optionalString('types') ?? 'all';
      const types = typesText.split(',').map((name) => {
        const type = SNAPSHOT_TYPES[name.trim().toLowerCase().replace(/-/g, '_')];
        if (type === undefined) throw new UsageError(`--types: unknown snapshot type '${name}' (use ${Object.keys(SNAPSHOT_TYPES).join(', ')})`);
        return type;
      });
      const archive = await (await context.client()).getSnapshot({ compression, types });
      await writeFile(file, archive);
      done(context, `wrote snapshot (${formatBytes(archive.length)}) to ${file}`, { file, sizeBytes: archive.length });
    },
  },
];
