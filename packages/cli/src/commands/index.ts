/**
 * The command table: every command family, every command, and the global options. The parser
 * (args.ts), `--help` and the shell's tab completion (shell.ts) are all built from it.
 */
import type { YargsOptionDefinition } from 'yargs';
import { DEFAULT_ADDRESS, TRANSPORTS } from '../connection.js';
import type { CommandFamily, CommandSpec } from './command.js';
import { groupCommands } from './groups.js';
import { messageCommands } from './messages.js';
import { offsetCommands } from './offsets.js';
import { sessionCommands } from './session.js';
import { streamCommands } from './streams.js';
import { systemCommands } from './system.js';
import { tokenCommands } from './tokens.js';
import { partitionCommands, segmentCommands, topicCommands } from './topics.js';
import { userCommands } from './users.js';

export const FAMILIES: readonly CommandFamily[] = [
  { name: 'stream', describe: 'Create, list, show, rename, delete and purge streams' },
  { name: 'topic', describe: 'Create, list, show, update, delete and purge topics' },
  { name: 'partition', describe: 'Add or delete partitions of a topic' },
  { name: 'segment', describe: 'Delete old segments of a partition' },
  { name: 'message', describe: 'Send, poll and flush messages' },
  { name: 'offset', describe: 'Stored consumer offsets' },
  { name: 'group', describe: 'Consumer groups' },
  { name: 'user', describe: 'Users, passwords and permissions' },
  { name: 'pat', describe: 'Personal access tokens' },
  { name: 'client', describe: 'Connected clients' },
];

export const COMMANDS: readonly CommandSpec[] = [
  ...streamCommands,
  ...topicCommands,
  ...partitionCommands,
  ...segmentCommands,
  ...messageCommands,
  ...offsetCommands,
  ...groupCommands,
  ...userCommands,
  ...tokenCommands,
  ...systemCommands,
  ...sessionCommands,
];

export const OUTPUT_FORMATS = ['text', 'json', 'raw'] as const;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, YargsOptionDefinition>> = {
  transport: { type: 'string', requiresArg: true, choices: TRANSPORTS, describe: 'Transport (default tcp)' },
  address: { type: 'string', requiresArg: true, describe: `Server address host:port (default ${DEFAULT_ADDRESS}; QUIC 8080, HTTP 3000, WebSocket 8092; env IGGY_ADDRESS)` },
  username: { type: 'string', requiresArg: true, alias: 'u', describe: 'Username (env IGGY_USERNAME)' },
  password: { type: 'string', requiresArg: true, alias: 'p', describe: 'Password (env IGGY_PASSWORD)' },
  token: { type: 'string', requiresArg: true, describe: 'Personal access token (env IGGY_TOKEN)' },
  tls: { type: 'boolean', describe: 'Connect with TLS' },
  'tls-ca': { type: 'string', requiresArg: true, describe: 'CA certificate file (PEM) to trust (implies --tls)' },
  'tls-server-name': { type: 'string', requiresArg: true, describe: 'Server name to verify in its certificate (implies --tls)' },
  output: { type: 'string', requiresArg: true, alias: 'o', choices: OUTPUT_FORMATS, describe: 'Output format: text or json (raw: message poll only)' },
};

/** The commands of a family, or the top-level command named `name`. */
export function commandsOf(family: string): CommandSpec[] {
  return COMMANDS.filter((spec) => spec.path[0] === family && spec.path.length === 2);
}

export function topLevelCommands(): CommandSpec[] {
  return COMMANDS.filter((spec) => spec.path.length === 1);
}
