/**
 * Errors of the CLI and how they read. Every failure ends as ONE line on stderr
 * (`error: stream 'x' not found`) and a non-zero exit code, never a stack trace:
 * usage mistakes exit with 2, everything else (server errors, connection, files) with 1.
 */
import { ErrorCode, IggyError, errorInfo } from '@iggy-ts/sdk';

/** Exit code of a command line that cannot be run (unknown option, bad value, missing argument). */
export const EXIT_USAGE = 2;
/** Exit code of a command that failed (server error, connection error, file error). */
export const EXIT_FAILURE = 1;

/** A failure with a ready, readable message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A malformed command line (exit code 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** What a command was about, so that "not found" errors can name the thing that was not found. */
export interface ErrorSubject {
  /** Command path, e.g. ['topic', 'get']. */
  readonly path: readonly string[];
  /** Parsed arguments (stream, topic, group, user, name, ...). */
  readonly args: Readonly<Record<string, unknown>>;
  /** How the client logged in ('session' when the saved login token was used). */
  readonly credentialsSource?: string;
  /** Transport of the connection (tcp, quic, http, ws). */
  readonly transport?: string;
}

const NOT_FOUND_STREAM: ReadonlySet<number> = new Set([ErrorCode.StreamIdNotFound, ErrorCode.StreamNameNotFound]);
const NOT_FOUND_TOPIC: ReadonlySet<number> = new Set([ErrorCode.TopicIdNotFound, ErrorCode.TopicNameNotFound]);
const NOT_FOUND_GROUP: ReadonlySet<number> = new Set([ErrorCode.ConsumerGroupIdNotFound, ErrorCode.ConsumerGroupNameNotFound]);
const TOKEN_REJECTED: ReadonlySet<number> = new Set([
  ErrorCode.ResourceNotFound,
  ErrorCode.InvalidPersonalAccessToken,
  ErrorCode.PersonalAccessTokenExpired,
  ErrorCode.InvalidCredentials,
]);

function quoted(value: unknown): string {
  return `'${String(value)}'`;
}

/** "Stream id not found" → "stream id not found": messages continue a sentence after "error: ". */
function sentence(message: string): string {
  return message.length === 0 ? message : message[0]!.toLowerCase() + message.slice(1);
}

/** The readable form of an IggyError for the command described by `subject`. */
function describeIggyError(error: IggyError, subject: ErrorSubject | undefined): string {
  const code = error.code;
  const args = subject?.args ?? {};
  const family = subject?.path[0];
  const withCode = (message: string): string => `${message} (${code})`;
  if (subject?.credentialsSource === 'session' && subject.path[0] !== 'logout' && TOKEN_REJECTED.has(code) && /LoginWithPersonalAccessToken/.test(error.message)) {
    return `the saved session is no longer valid (${code}): run 'iggy login' again`;
  }
  if (NOT_FOUND_STREAM.has(code) && args['stream'] !== undefined) return `stream ${quoted(args['stream'])} not found`;
  if (NOT_FOUND_TOPIC.has(code) && args['topic'] !== undefined) return `topic ${quoted(args['topic'])} not found in stream ${quoted(args['stream'])}`;
  if (NOT_FOUND_GROUP.has(code)) {
    const group = args['group'] ?? args['name'];
    if (group !== undefined) return `consumer group ${quoted(group)} not found in topic ${quoted(args['topic'])}`;
  }
  if (code === ErrorCode.PartitionNotFound) {
    const partition = args['partition-id'] ?? args['partition'];
    return partition === undefined ? withCode('partition not found') : `partition ${String(partition)} not found in topic ${quoted(args['topic'])}`;
  }
  if (code === ErrorCode.ResourceNotFound) {
    if (family === 'user' && args['user'] !== undefined) return `user ${quoted(args['user'])} not found`;
    if (family === 'pat' && args['name'] !== undefined) return `personal access token ${quoted(args['name'])} not found`;
  }
  if (code === ErrorCode.ClientNotFound && args['client'] !== undefined) return `client ${String(args['client'])} not found`;
  if (code === ErrorCode.StreamNameAlreadyExists) return `stream ${quoted(args['name'])} already exists`;
  if (code === ErrorCode.TopicNameAlreadyExists) return `topic ${quoted(args['name'])} already exists in stream ${quoted(args['stream'])}`;
  if (code === ErrorCode.ConsumerGroupNameAlreadyExists) return `consumer group ${quoted(args['name'])} already exists in topic ${quoted(args['topic'])}`;
  if (code === ErrorCode.UserAlreadyExists) return `user ${quoted(args['name'] ?? args['user'])} already exists`;
  if (code === ErrorCode.PersonalAccessTokenAlreadyExists) return `personal access token ${quoted(args['name'])} already exists`;
  if (code === ErrorCode.Unauthenticated) return `not logged in (${code}): run 'iggy login' or pass --username and --password`;
  if (code === ErrorCode.Unauthorized) return withCode('permission denied');
  if (code === ErrorCode.FeatureUnavailable && subject?.transport === 'http') return withCode(`${subject.path.join(' ')} is not available over HTTP in Iggy 0.8`);
  if (code === ErrorCode.InvalidCredentials) return withCode('invalid credentials');
  if (code === ErrorCode.CannotEstablishConnection) {
    const unreachable = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|connect timeout/.test(error.message);
    return unreachable ? `${sentence(error.message)} (is the server running?)` : sentence(error.message);
  }
  if (code === ErrorCode.Disconnected || code === ErrorCode.NotConnected) return `connection lost (${code}): ${sentence(error.message)}`;
  if (code === ErrorCode.ConsumerGroupMemberNotFound) return `this connection is not a member of consumer group ${quoted(args['group'])} (${code})`;
  if (code === ErrorCode.TaskTimeout) return withCode(sentence(error.message));
  if (code === ErrorCode.InvalidConfiguration) return sentence(error.message);
  return withCode(sentence(errorInfo(code).message));
}

/** Node system errors (ENOENT, EACCES, ...) as "cannot read 'x': no such file or directory". */
function describeSystemError(error: NodeJS.ErrnoException): string | undefined {
  if (typeof error.code !== 'string' || !/^E[A-Z]+$/.test(error.code)) return undefined;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    EEXIST: 'file exists',
  };
  const reason = reasons[error.code] ?? error.code;
  const path = (error as { path?: string }).path;
  const action = error.syscall === 'open' || error.syscall === 'read' ? 'cannot open' : error.syscall === undefined ? 'failed' : `${error.syscall} failed`;
  return path === undefined ? `${action}: ${reason}` : `${action} '${path}': ${reason}`;
}

/** One line describing any error; `subject` makes "not found" errors name the resource. */
export function describeError(error: unknown, subject?: ErrorSubject): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof IggyError) return describeIggyError(error, subject);
  if (error instanceof Error) {
    const system = describeSystemError(error as NodeJS.ErrnoException);
    if (system !== undefined) return system;
    return sentence(error.message).replace(/\s*\n\s*/g, ' ');
  }
  return String(error);
}

/** The exit code for an error: 2 for usage errors, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
}
