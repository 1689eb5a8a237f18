/** `iggy stream create|list|get|update|delete|purge`. */
import type { StreamInfo } from '@iggy-ts/sdk';
import { CliError } from '../errors.js';
import { formatBytes, formatKeyValues, formatTable, formatTimestampUs } from '../output.js';
import { type CommandSpec, done, print, shown } from './command.js';
import { topicRows, TOPIC_HEADERS } from './topics.js';

const STREAM = { name: 'stream', describe: 'Stream id or name' } as const;

function streamRow(stream: StreamInfo): unknown[] {
  return [stream.id, stream.name, stream.topicsCount, stream.messagesCount, formatBytes(stream.sizeBytes), formatTimestampUs(stream.createdAt)];
}

const STREAM_HEADERS = ['ID', 'NAME', 'TOPICS', 'MESSAGES', 'SIZE', 'CREATED'];

export const streamCommands: readonly CommandSpec[] = [
  {
    path: ['stream', 'create'],
    describe: 'Create a stream (the server assigns its id)',
    positionals: [{ name: 'name', describe: 'Stream name, 1..255 bytes' }],
    examples: [['iggy stream create dev', 'create the stream "dev"']],
    async run(context, args) {
      const name = args.string('name');
      const stream = await (await context.client()).createStream({ name });
      print(context, `created stream '${stream.name}' (id ${stream.id})`, stream);
    },
  },
  {
    path: ['stream', 'list'],
    describe: 'List streams',
    async run(context) {
      const streams = await (await context.client()).getStreams();
      streams.sort((a, b) => a.id - b.id);
      print(context, streams.length === 0 ? 'no streams' : formatTable(STREAM_HEADERS, streams.map(streamRow)), streams);
    },
  },
  {
    path: ['stream', 'get'],
    describe: 'Show a stream and its topics',
    positionals: [STREAM],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const stream = await (await context.client()).getStream({ streamId });
      if (stream === undefined) throw new CliError(`stream ${shown(streamId)} not found`);
      const details = formatKeyValues([
        ['id', stream.id],
        ['name', stream.name],
        ['created', formatTimestampUs(stream.createdAt)],
        ['topics', stream.topicsCount],
        ['messages', stream.messagesCount],
        ['size', formatBytes(stream.sizeBytes)],
      ]);
      const topics = stream.topics.length === 0 ? '' : `\n\n${formatTable(TOPIC_HEADERS, [...stream.topics].sort((a, b) => a.id - b.id).map(topicRows))}`;
      print(context, details + topics, stream);
    },
  },
  {
    path: ['stream', 'update'],
    describe: 'Rename a stream',
    positionals: [STREAM, { name: 'name', describe: 'New name' }],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const name = args.string('name');
      await (await context.client()).updateStream({ streamId, name });
      done(context, `renamed stream ${shown(streamId)} to '${name}'`);
    },
  },
  {
    path: ['stream', 'delete'],
    describe: 'Delete a stream with its topics and messages',
    positionals: [STREAM],
    async run(context, args) {
      const streamId = args.identifier('stream');
      await (await context.client()).deleteStream({ streamId });
      done(context, `deleted stream ${shown(streamId)}`);
    },
  },
  {
    path: ['stream', 'purge'],
    describe: 'Delete every message of every topic of a stream',
    positionals: [STREAM],
    async run(context, args) {
      const streamId = args.identifier('stream');
      await (await context.client()).purgeStream({ streamId });
      done(context, `purged stream ${shown(streamId)}`);
    },
  },
];
