/**
 * The login session: `iggy login` saves the server address and a personal access token in
 * `<context dir>/context.json` (mode 0600) so later commands need no credentials; `iggy logout`
 * deletes the token on the server and the file. The context directory is `~/.iggy-ts`, or
 * `$IGGY_CONTEXT_DIR`; the shell keeps its history there too.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.js';

/** The environment variable that moves the context directory (used by tests). */
export const CONTEXT_DIR_ENV = 'IGGY_CONTEXT_DIR';
const SESSION_FILE = 'context.json';
const HISTORY_FILE = 'history';
const SESSION_VERSION = 1;

/** What `iggy login` saves. */
export interface Session {
  readonly version: number;
  /** Server address `host:port` the token belongs to. */
  readonly address: string;
  /** Transport used at login (tcp, ...). */
  readonly transport: string;
  /** TLS settings used at login, so later commands connect the same way. */
  readonly tls?: { readonly enabled: boolean; readonly ca?: string; readonly serverName?: string };
  /** User that logged in. */
  readonly username: string;
  /** Name of the personal access token created for the session. */
  readonly tokenName: string;
  /** The token itself (shown once by the server, kept only here). */
  readonly token: string;
  /** ISO time of the login. */
  readonly createdAt: string;
}

export function contextDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[CONTEXT_DIR_ENV];
  return configured !== undefined && configured !== '' ? path.resolve(configured) : path.join(os.homedir(), '.iggy-ts');
}

export function sessionFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(contextDirectory(env), SESSION_FILE);
}

export function historyFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(contextDirectory(env), HISTORY_FILE);
}

/** Creates the context directory (0700) when missing; returns its path. */
export function ensureContextDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const directory = contextDirectory(env);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  return directory;
}

function isSession(value: unknown): value is Session {
  if (value === null || typeof value !== 'object') return false;
  const session = value as Record<string, unknown>;
  return (
    session['version'] === SESSION_VERSION &&
    typeof session['address'] === 'string' &&
    typeof session['transport'] === 'string' &&
    typeof session['username'] === 'string' &&
    typeof session['tokenName'] === 'string' &&
    typeof session['token'] === 'string'
  );
}

/** The saved session, or undefined when there is none. A damaged file is an error naming the file. */
export function loadSession(env: NodeJS.ProcessEnv = process.env): Session | undefined {
  const file = sessionFilePath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`session file '${file}' is damaged: run 'iggy logout' and log in again`);
  }
  if (!isSession(parsed)) throw new CliError(`session file '${file}' is not a session of this version: run 'iggy logout' and log in again`);
  return parsed;
}

/** Writes the session atomically (temporary file, then rename), readable by the owner only. */
export function saveSession(session: Omit<Session, 'version'>, env: NodeJS.ProcessEnv = process.env): string {
  ensureContextDirectory(env);
  const file = sessionFilePath(env);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ version: SESSION_VERSION, ...session }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return file;
}

export function deleteSession(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(sessionFilePath(env), { force: true });
}

/** Token names are 3..=30 bytes: `iggy-cli-<host, up to 12>-<time in ms, base 36>`. */
export function sessionTokenName(now: number = Date.now(), host: string = os.hostname()): string {
  const cleanHost = host.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 12) || 'host';
  return `iggy-cli-${cleanHost}-${now.toString(36)}`;
}
