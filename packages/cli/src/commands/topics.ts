/** `iggy topic create|list|get|update|delete|purge`, `iggy partition create|delete`, `iggy segment delete`. */
import { CompressionAlgorithm, type TopicInfo } from '@iggy-ts/sdk';
import type { YargsOptionDefinition } from 'yargs';
import { CliError, UsageError } from '../errors.js';
import { formatBytes, formatDurationUs, formatKeyValues, formatSizeLimit, formatTable, formatTimestampUs } from '../output.js';
import { parseDurationUs, parseSizeBytes } from '../values.js';
import { type Args, type CommandSpec, done, print, shown } from './command.js';

const STREAM = { name: 'stream', describe: 'Stream id or name' } as const;
const TOPIC = { name: 'topic', describe: 'Topic id or name' } as const;

const COMPRESSION_NAMES: Readonly<Record<string, number>> = { none: CompressionAlgorithm.None, gzip: CompressionAlgorithm.Gzip };

function compressionName(value: number): string {
  return Object.entries(COMPRESSION_NAMES).find(([, code]) => code === value)?.[0] ?? String(value);
}

export const TOPIC_HEADERS = ['ID', 'NAME', 'PARTITIONS', 'MESSAGES', 'SIZE', 'EXPIRY', 'MAX SIZE', 'CREATED'];

export function topicRows(topic: TopicInfo): unknown[] {
  return [
    topic.id,
    topic.name,
    topic.partitionsCount,
    topic.messagesCount,
    formatBytes(topic.sizeBytes),
    formatDurationUs(topic.messageExpiry),
    formatSizeLimit(topic.maxTopicSize),
    formatTimestampUs(topic.createdAt),
  ];
}

const TOPIC_SETTINGS: Readonly<Record<string, YargsOptionDefinition>> = {
  compression: { type: 'string', requiresArg: true, choices: Object.keys(COMPRESSION_NAMES), describe: 'Compression algorithm' },
  'message-expiry': { type: 'string', requiresArg: true, describe: "How long messages are kept: 30m, 7d, 'never' or 'server_default'" },
  'max-topic-size': { type: 'string', requiresArg: true, describe: "Largest topic size: 10GB, 1GiB, 'unlimited' or 'server_default'" },
  'replication-factor': { type: 'string', requiresArg: true, describe: 'Replication factor (1..255)' },
};

function topicSettings(args: Args): { compressionAlgorithm?: number; messageExpiry?: bigint; maxTopicSize?: bigint; replicationFactor?: number } {
  const compression = args.optionalString('compression');
  const expiry = args.optionalString('message-expiry');
  const maxSize = args.optionalString('max-topic-size');
  const replicationFactor = args.optionalInteger('replication-factor', 1, 255);
  return {
    ...(compression === undefined ? {} : { compressionAlgorithm: COMPRESSION_NAMES[compression]! }),
    ...(expiry === undefined ? {} : { messageExpiry: parseDurationUs(expiry, '--message-expiry') }),
    ...(maxSize === undefined ? {} : { maxTopicSize: parseSizeBytes(maxSize, '--max-topic-size') }),
    ...(replicationFactor === undefined ? {} : { replicationFactor }),
  };
}

export const topicCommands: readonly CommandSpec[] = [
  {
    path: ['topic', 'create'],
    describe: 'Create a topic in a stream',
    positionals: [STREAM, { name: 'name', describe: 'Topic name, 1..255 bytes' }],
    options: { partitions: { type: 'string', requiresArg: true, describe: 'Partitions to create (default 1)' }, ...TOPIC_SETTINGS },
    examples: [['iggy topic create dev sample --partitions 2 --message-expiry 7d', 'a topic with two partitions whose messages expire after a week']],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const name = args.string('name');
      const partitionsCount = args.optionalInteger('partitions', 0, 1000) ?? 1;
      const settings = topicSettings(args);
      const topic = await (await context.client()).createTopic({ streamId, name, partitionsCount, ...settings });
      print(context, `created topic '${topic.name}' (id ${topic.id}) in stream ${shown(streamId)} with ${topic.partitionsCount} partition${topic.partitionsCount === 1 ? '' : 's'}`, topic);
    },
  },
  {
    path: ['topic', 'list'],
    describe: 'List the topics of a stream',
    positionals: [STREAM],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const stream = await (await context.client()).getStream({ streamId });
      if (stream === undefined) throw new CliError(`stream ${shown(streamId)} not found`);
      const topics = [...stream.topics].sort((a, b) => a.id - b.id);
      print(context, topics.length === 0 ? `no topics in stream ${shown(streamId)}` : formatTable(TOPIC_HEADERS, topics.map(topicRows)), topics);
    },
  },
  {
    path: ['topic', 'get'],
    describe: 'Show a topic and its partitions',
    positionals: [STREAM, TOPIC],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const topic = await (await context.client()).getTopic({ streamId, topicId });
      if (topic === undefined) throw new CliError(`topic ${shown(topicId)} not found in stream ${shown(streamId)}`);
      const details = formatKeyValues([
        ['id', topic.id],
        ['name', topic.name],
        ['created', formatTimestampUs(topic.createdAt)],
        ['partitions', topic.partitionsCount],
        ['messages', topic.messagesCount],
        ['size', formatBytes(topic.sizeBytes)],
        ['message expiry', formatDurationUs(topic.messageExpiry)],
        ['max topic size', formatSizeLimit(topic.maxTopicSize)],
        ['compression', compressionName(topic.compressionAlgorithm)],
        ['replication factor', topic.replicationFactor],
      ]);
      const partitions = formatTable(
        ['PARTITION', 'SEGMENTS', 'CURRENT OFFSET', 'MESSAGES', 'SIZE', 'CREATED'],
        [...topic.partitions].sort((a, b) => a.id - b.id).map((partition) => [partition.id, partition.segmentsCount, partition.currentOffset, partition.messagesCount, formatBytes(partition.sizeBytes), formatTimestampUs(partition.createdAt)]),
      );
      print(context, topic.partitions.length === 0 ? details : `${details}\n\n${partitions}`, topic);
    },
  },
  {
    path: ['topic', 'update'],
    describe: 'Rename a topic or change its settings (options left out keep their value)',
    positionals: [STREAM, TOPIC],
    options: { name: { type: 'string', requiresArg: true, describe: 'New name' }, ...TOPIC_SETTINGS },
    examples: [['iggy topic update dev sample --message-expiry never', 'keep messages forever']],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const name = args.optionalString('name');
      const settings = topicSettings(args);
      if (name === undefined && Object.keys(settings).length === 0) throw new UsageError('nothing to update: give --name, --compression, --message-expiry, --max-topic-size or --replication-factor');
      await (await context.client()).updateTopic({ streamId, topicId, ...(name === undefined ? {} : { name }), ...settings });
      done(context, `updated topic ${shown(topicId)} in stream ${shown(streamId)}`);
    },
  },
  {
    path: ['topic', 'delete'],
    describe: 'Delete a topic with its messages',
    positionals: [STREAM, TOPIC],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      await (await context.client()).deleteTopic({ streamId, topicId });
      done(context, `deleted topic ${shown(topicId)} from stream ${shown(streamId)}`);
    },
  },
  {
    path: ['topic', 'purge'],
    describe: 'Delete every message of a topic',
    positionals: [STREAM, TOPIC],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      await (await context.client()).purgeTopic({ streamId, topicId });
      done(context, `purged topic ${shown(topicId)} in stream ${shown(streamId)}`);
    },
  },
];

export const partitionCommands: readonly CommandSpec[] = [
  {
    path: ['partition', 'create'],
    describe: 'Add partitions to a topic',
    positionals: [STREAM, TOPIC, { name: 'count', describe: 'Partitions to add (1..1000)' }],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const partitionsCount = args.integer('count', 1, 1000);
      await (await context.client()).createPartitions({ streamId, topicId, partitionsCount });
      done(context, `added ${partitionsCount} partition${partitionsCount === 1 ? '' : 's'} to topic ${shown(topicId)} in stream ${shown(streamId)}`);
    },
  },
  {
    path: ['partition', 'delete'],
    describe: 'Delete the last partitions of a topic (with their messages)',
    positionals: [STREAM, TOPIC, { name: 'count', describe: 'Partitions to delete (1..1000)' }],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const partitionsCount = args.integer('count', 1, 1000);
      await (await context.client()).deletePartitions({ streamId, topicId, partitionsCount });
      done(context, `deleted ${partitionsCount} partition${partitionsCount === 1 ? '' : 's'} from topic ${shown(topicId)} in stream ${shown(streamId)}`);
    },
  },
];

export const segmentCommands: readonly CommandSpec[] = [
  {
    path: ['segment', 'delete'],
    describe: "Delete the oldest sealed segments of a partition",
    positionals: [STREAM, TOPIC, { name: 'partition', describe: 'Partition id' }],
    options: { count: { type: 'string', requiresArg: true, describe: 'Segments to delete (default 1)' } },
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const partitionId = args.integer('partition', 0, 0xffff_ffff);
      const segmentsCount = args.optionalInteger('count', 1, 0xffff_ffff) ?? 1;
      await (await context.client()).deleteSegments({ streamId, topicId, partitionId, segmentsCount });
      done(context, `deleted up to ${segmentsCount} segment${segmentsCount === 1 ? '' : 's'} of partition ${partitionId} in topic ${shown(topicId)}`);
    },
  },
];
