/**
 * `iggy user create|list|get|update|delete|password|permissions`.
 *
 * Permissions on the command line:
 *   --global read_streams,poll_messages          global flags (or "all")
 *   --stream <stream>=manage_stream,read_stream   flags for one stream (id or name), repeatable
 *   --topic <stream>/<topic>=send_messages        flags for one topic, repeatable
 */
import {
  type GlobalPermissions,
  type IggyClient,
  type Permissions,
  type StreamPermissions,
  type TopicPermissions,
  type UserDetails,
  UserStatus,
} from '@iggy-ts/sdk';
import type { YargsOptionDefinition } from 'yargs';
import { CliError, UsageError } from '../errors.js';
import { formatKeyValues, formatTable, formatTimestampUs } from '../output.js';
import { noGlobalPermissions, noStreamPermissionFlags, parseGlobalPermissions, parseIdentifier, parseStreamPermissionFlags, parseTopicPermissions, permissionNames } from '../values.js';
import { type Args, type CommandSpec, done, print, shown } from './command.js';

const USER = { name: 'user', describe: 'User id or username' } as const;

const STATUS_NAMES: Readonly<Record<string, number>> = { active: UserStatus.Active, inactive: UserStatus.Inactive };

function statusName(status: number): string {
  return status === UserStatus.Active ? 'active' : status === UserStatus.Inactive ? 'inactive' : String(status);
}

const PERMISSION_OPTIONS: Readonly<Record<string, YargsOptionDefinition>> = {
  global: { type: 'string', requiresArg: true, describe: 'Global permissions, comma-separated (manage_servers, read_servers, manage_users, read_users, manage_streams, read_streams, manage_topics, read_topics, poll_messages, send_messages) or all' },
  stream: { type: 'string', array: true, requiresArg: true, describe: 'Stream permissions <stream>=<list> (manage_stream, read_stream, manage_topics, read_topics, poll_messages, send_messages or all); repeatable' },
  topic: { type: 'string', array: true, requiresArg: true, describe: 'Topic permissions <stream>/<topic>=<list> (manage_topic, read_topic, poll_messages, send_messages or all); repeatable' },
};

function splitAssignment(text: string, option: string, form: string): [string, string] {
  const at = text.lastIndexOf('=');
  if (at <= 0 || at === text.length - 1) throw new UsageError(`${option} must be ${form}, got '${text}'`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Numeric ids of a stream (and topic) given by id or name; permissions are keyed by id. */
async function streamIdOf(client: IggyClient, text: string): Promise<number> {
  const id = parseIdentifier(text, 'stream');
  if (typeof id === 'number') return id;
  const stream = await client.getStream({ streamId: id });
  if (stream === undefined) throw new CliError(`stream '${text}' not found`);
  return stream.id;
}

async function topicIdOf(client: IggyClient, streamId: number, text: string): Promise<number> {
  const id = parseIdentifier(text, 'topic');
  if (typeof id === 'number') return id;
  const topic = await client.getTopic({ streamId, topicId: id });
  if (topic === undefined) throw new CliError(`topic '${text}' not found in stream ${streamId}`);
  return topic.id;
}

/** --global/--stream/--topic, parsed (before connecting); stream and topic still as typed. */
interface PermissionsPlan {
  readonly global: GlobalPermissions;
  readonly streams: readonly { readonly stream: string; readonly flags: Omit<StreamPermissions, 'topics'> }[];
  readonly topics: readonly { readonly stream: string; readonly topic: string; readonly flags: TopicPermissions }[];
}

/** The permissions options, parsed; undefined when none was given. */
function permissionsPlanOf(args: Args): PermissionsPlan | undefined {
  const globalText = args.optionalString('global');
  const streamTexts = args.strings('stream');
  const topicTexts = args.strings('topic');
  if (globalText === undefined && streamTexts.length === 0 && topicTexts.length === 0) return undefined;
  const streams = streamTexts.map((text) => {
    const [stream, list] = splitAssignment(text, '--stream', '<stream>=<permissions>');
    return { stream, flags: parseStreamPermissionFlags(list, `--stream ${stream}`) };
  });
  const topics = topicTexts.map((text) => {
    const [topicPath, list] = splitAssignment(text, '--topic', '<stream>/<topic>=<permissions>');
    const slash = topicPath.indexOf('/');
    if (slash <= 0 || slash === topicPath.length - 1) throw new UsageError(`--topic must be <stream>/<topic>=<permissions>, got '${text}'`);
    return { stream: topicPath.slice(0, slash), topic: topicPath.slice(slash + 1), flags: parseTopicPermissions(list, `--topic ${topicPath}`) };
  });
  return { global: globalText === undefined ? noGlobalPermissions() : parseGlobalPermissions(globalText), streams, topics };
}

/** The plan with stream and topic names resolved to the numeric ids permissions are keyed by. */
async function resolvePermissions(client: IggyClient, plan: PermissionsPlan): Promise<Permissions> {
  const streams = new Map<number, Omit<StreamPermissions, 'topics'> & { topics: Map<number, TopicPermissions> }>();
  for (const { stream, flags } of plan.streams) {
    const streamId = await streamIdOf(client, stream);
    streams.set(streamId, { ...flags, topics: streams.get(streamId)?.topics ?? new Map() });
  }
  for (const { stream, topic, flags } of plan.topics) {
    const streamId = await streamIdOf(client, stream);
    const topicId = await topicIdOf(client, streamId, topic);
    const entry = streams.get(streamId) ?? { ...noStreamPermissionFlags(), topics: new Map<number, TopicPermissions>() };
    entry.topics.set(topicId, flags);
    streams.set(streamId, entry);
  }
  return { global: plan.global, streams };
}

function permissionsText(permissions: Permissions | undefined): string {
  if (permissions === undefined) return 'permissions: none';
  const lines = [`global permissions: ${permissionNames(permissions.global)}`];
  const rows: unknown[][] = [];
  for (const [streamId, stream] of [...permissions.streams].sort(([a], [b]) => a - b)) {
    const { topics, ...flags } = stream;
    rows.push([streamId, '*', permissionNames(flags)]);
    for (const [topicId, topic] of [...topics].sort(([a], [b]) => a - b)) rows.push([streamId, topicId, permissionNames(topic)]);
  }
  if (rows.length > 0) lines.push('', formatTable(['STREAM', 'TOPIC', 'PERMISSIONS'], rows));
  return lines.join('\n');
}

function userText(user: UserDetails): string {
  return `${formatKeyValues([
    ['id', user.id],
    ['username', user.username],
    ['status', statusName(user.status)],
    ['created', formatTimestampUs(user.createdAt)],
  ])}\n${permissionsText(user.permissions)}`;
}

export const userCommands: readonly CommandSpec[] = [
  {
    path: ['user', 'create'],
    describe: 'Create a user',
    positionals: [
      { name: 'name', describe: 'Username, 3..50 characters' },
      { name: 'user-password', describe: 'Password, 3..100 characters' },
    ],
    options: { status: { type: 'string', requiresArg: true, choices: Object.keys(STATUS_NAMES), describe: 'Status (default active)' }, ...PERMISSION_OPTIONS },
    examples: [['iggy user create alice secret --global read_streams,poll_messages --topic dev/sample=send_messages', 'a user who reads everything and sends to dev/sample']],
    async run(context, args) {
      const username = args.string('name');
      const password = args.string('user-password');
      const status = STATUS_NAMES[args.optionalString('status') ?? 'active']!;
      const plan = permissionsPlanOf(args);
      const client = await context.client();
      const permissions = plan === undefined ? undefined : await resolvePermissions(client, plan);
      const user = await client.createUser({ username, password, status, ...(permissions === undefined ? {} : { permissions }) });
      print(context, `created user '${user.username}' (id ${user.id})`, user);
    },
  },
  {
    path: ['user', 'list'],
    describe: 'List users',
    async run(context) {
      const users = await (await context.client()).getUsers();
      users.sort((a, b) => a.id - b.id);
      print(context, formatTable(['ID', 'USERNAME', 'STATUS', 'CREATED'], users.map((user) => [user.id, user.username, statusName(user.status), formatTimestampUs(user.createdAt)])), users);
    },
  },
  {
    path: ['user', 'get'],
    describe: 'Show a user with permissions',
    positionals: [USER],
    async run(context, args) {
      const userId = args.identifier('user');
      const user = await (await context.client()).getUser({ userId });
      if (user === undefined) throw new CliError(`user ${shown(userId)} not found`);
      print(context, userText(user), user);
    },
  },
  {
    path: ['user', 'update'],
    describe: 'Rename a user or change the status',
    positionals: [USER],
    options: {
      name: { type: 'string', requiresArg: true, describe: 'New username' },
      status: { type: 'string', requiresArg: true, choices: Object.keys(STATUS_NAMES), describe: 'New status' },
    },
    async run(context, args) {
      const userId = args.identifier('user');
      const username = args.optionalString('name');
      const statusText = args.optionalString('status');
      if (username === undefined && statusText === undefined) throw new UsageError('nothing to update: give --name or --status');
      await (await context.client()).updateUser({ userId, ...(username === undefined ? {} : { username }), ...(statusText === undefined ? {} : { status: STATUS_NAMES[statusText]! }) });
      done(context, `updated user ${shown(userId)}`);
    },
  },
  {
    path: ['user', 'delete'],
    describe: 'Delete a user',
    positionals: [USER],
    async run(context, args) {
      const userId = args.identifier('user');
      await (await context.client()).deleteUser({ userId });
      done(context, `deleted user ${shown(userId)}`);
    },
  },
  {
    path: ['user', 'password'],
    describe: "Change a user's password",
    positionals: [USER, { name: 'current-password', describe: 'Current password' }, { name: 'new-password', describe: 'New password' }],
    async run(context, args) {
      const userId = args.identifier('user');
      await (await context.client()).changePassword({ userId, currentPassword: args.string('current-password'), newPassword: args.string('new-password') });
      done(context, `changed the password of user ${shown(userId)}`);
    },
  },
  {
    path: ['user', 'permissions'],
    describe: "Replace a user's permissions (--none clears them)",
    positionals: [USER],
    options: { ...PERMISSION_OPTIONS, none: { type: 'boolean', describe: 'Remove every permission' } },
    examples: [['iggy user permissions alice --global read_streams --stream dev=all', 'read everything, manage stream dev']],
    async run(context, args) {
      const userId = args.identifier('user');
      const plan = permissionsPlanOf(args);
      if (plan === undefined && !args.flag('none')) throw new UsageError('give --global, --stream, --topic, or --none to remove every permission');
      if (plan !== undefined && args.flag('none')) throw new UsageError('--none cannot be combined with --global, --stream or --topic');
      const client = await context.client();
      const permissions = plan === undefined ? undefined : await resolvePermissions(client, plan);
      await client.updatePermissions({ userId, ...(permissions === undefined ? {} : { permissions }) });
      done(context, `${permissions === undefined ? 'cleared' : 'updated'} the permissions of user ${shown(userId)}`);
    },
  },
];
