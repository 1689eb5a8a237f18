/** `iggy offset get|set|delete`: the stored offset of a consumer or consumer group on a partition. */
import { type Identifier, type IggyClient } from '@iggy-ts/sdk';
import { formatKeyValues } from '../output.js';
import { type Args, type CommandContext, type CommandSpec, done, print, shown } from './command.js';
import { CONSUMER_OPTIONS, consumerOf } from './messages.js';

const STREAM = { name: 'stream', describe: 'Stream id or name' } as const;
const TOPIC = { name: 'topic', describe: 'Topic id or name' } as const;

/** The request fields shared by the offset commands, parsed before connecting. */
function target(args: Args) {
  const streamId = args.identifier('stream');
  const topicId = args.identifier('topic');
  const partitionId = args.optionalInteger('partition-id', 0, 0xffff_ffff);
  const { consumer, group, description } = consumerOf(args);
  const partition = partitionId !== undefined ? `partition ${partitionId}` : group !== undefined ? "the group's current partition" : 'partition 0';
  return { request: { streamId, topicId, partitionId, consumer }, group, description, where: `${partition} of topic ${shown(topicId)}` };
}

/** A connected client; for a group it has joined it first (the server requires membership). */
async function clientFor(context: CommandContext, request: { streamId: Identifier; topicId: Identifier }, group: Identifier | undefined): Promise<IggyClient> {
  const client = await context.client();
  if (group !== undefined) await client.joinConsumerGroup({ streamId: request.streamId, topicId: request.topicId, groupId: group });
  return client;
}

export const offsetCommands: readonly CommandSpec[] = [
  {
    path: ['offset', 'get'],
    describe: 'Show the stored offset of a consumer (or group) on a partition',
    positionals: [STREAM, TOPIC],
    options: CONSUMER_OPTIONS,
    async run(context, args) {
      const { request, group, description, where } = target(args);
      const offset = await (await clientFor(context, request, group)).getConsumerOffset(request);
      if (offset === undefined) {
        print(context, `no stored offset for ${description} on ${where}`, null);
        return;
      }
      print(
        context,
        formatKeyValues([
          ['consumer', description],
          ['partition', offset.partitionId],
          ['stored offset', offset.storedOffset],
          ['current offset', offset.currentOffset],
        ]),
        offset,
      );
    },
  },
  {
    path: ['offset', 'set'],
    describe: 'Store the offset of a consumer (or group) on a partition',
    positionals: [STREAM, TOPIC, { name: 'offset', describe: 'Offset of the last processed message' }],
    options: CONSUMER_OPTIONS,
    async run(context, args) {
      const offset = args.integer('offset');
      const { request, group, description, where } = target(args);
      await (await clientFor(context, request, group)).storeConsumerOffset({ ...request, offset });
      done(context, `stored offset ${offset} for ${description} on ${where}`);
    },
  },
  {
    path: ['offset', 'delete'],
    describe: 'Delete the stored offset of a consumer (or group) on a partition',
    positionals: [STREAM, TOPIC],
    options: CONSUMER_OPTIONS,
    async run(context, args) {
      const { request, group, description, where } = target(args);
      await (await clientFor(context, request, group)).deleteConsumerOffset(request);
      done(context, `deleted the stored offset of ${description} on ${where}`);
    },
  },
];
