/**
 * `iggy group create|list|get|delete|join|leave`. Membership belongs to a connection: a one-shot
 * `join` ends when the command exits; inside `iggy shell` it lasts until `leave` or the shell ends.
 */
import { CliError } from '../errors.js';
import { formatKeyValues, formatTable } from '../output.js';
import { type CommandSpec, done, print, shown } from './command.js';

const STREAM = { name: 'stream', describe: 'Stream id or name' } as const;
const TOPIC = { name: 'topic', describe: 'Topic id or name' } as const;
const GROUP = { name: 'group', describe: 'Consumer group id or name' } as const;

export const groupCommands: readonly CommandSpec[] = [
  {
    path: ['group', 'create'],
    describe: 'Create a consumer group in a topic',
    positionals: [STREAM, TOPIC, { name: 'name', describe: 'Group name, 1..255 bytes' }],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const name = args.string('name');
      const group = await (await context.client()).createConsumerGroup({ streamId, topicId, name });
      print(context, `created consumer group '${group.name}' (id ${group.id}) in topic ${shown(topicId)}`, group);
    },
  },
  {
    path: ['group', 'list'],
    describe: 'List the consumer groups of a topic',
    positionals: [STREAM, TOPIC],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const groups = await (await context.client()).getConsumerGroups({ streamId, topicId });
      groups.sort((a, b) => a.id - b.id);
      print(
        context,
        groups.length === 0 ? `no consumer groups in topic ${shown(topicId)}` : formatTable(['ID', 'NAME', 'PARTITIONS', 'MEMBERS'], groups.map((group) => [group.id, group.name, group.partitionsCount, group.membersCount])),
        groups,
      );
    },
  },
  {
    path: ['group', 'get'],
    describe: 'Show a consumer group with its members',
    positionals: [STREAM, TOPIC, GROUP],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const groupId = args.identifier('group');
      const group = await (await context.client()).getConsumerGroup({ streamId, topicId, groupId });
      if (group === undefined) throw new CliError(`consumer group ${shown(groupId)} not found in topic ${shown(topicId)}`);
      const details = formatKeyValues([
        ['id', group.id],
        ['name', group.name],
        ['partitions', group.partitionsCount],
        ['members', group.membersCount],
      ]);
      const members = group.members.length === 0 ? '' : `\n\n${formatTable(['MEMBER', 'PARTITIONS'], group.members.map((member) => [member.id, member.partitions.join(',') || '-']))}`;
      print(context, details + members, group);
    },
  },
  {
    path: ['group', 'delete'],
    describe: 'Delete a consumer group',
    positionals: [STREAM, TOPIC, GROUP],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const groupId = args.identifier('group');
      await (await context.client()).deleteConsumerGroup({ streamId, topicId, groupId });
      done(context, `deleted consumer group ${shown(groupId)} from topic ${shown(topicId)}`);
    },
  },
  {
    path: ['group', 'join'],
    describe: 'Join a consumer group (lasts as long as the connection: use it in iggy shell)',
    positionals: [STREAM, TOPIC, GROUP],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const groupId = args.identifier('group');
      await (await context.client()).joinConsumerGroup({ streamId, topicId, groupId });
      const note = context.inShell ? '' : ' (membership ends when this command exits; use iggy shell to keep it)';
      done(context, `joined consumer group ${shown(groupId)} in topic ${shown(topicId)}${note}`);
    },
  },
  {
    path: ['group', 'leave'],
    describe: 'Leave a consumer group',
    positionals: [STREAM, TOPIC, GROUP],
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const groupId = args.identifier('group');
      await (await context.client()).leaveConsumerGroup({ streamId, topicId, groupId });
      done(context, `left consumer group ${shown(groupId)} in topic ${shown(topicId)}`);
    },
  },
];
