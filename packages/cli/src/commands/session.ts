/**
 * `iggy login` / `iggy logout`.
 *
 * login: logs in with the given credentials, creates a personal access token named
 * `iggy-cli-<host>-<time>` and saves it with the address in the context file; later commands to
 * the same address (and transport) log in with it. A previous session's token is deleted first.
 * logout: deletes the session's token on the server (best effort: a server that is gone or no
 * longer knows the token does not keep you logged in) and removes the file.
 */
import path from 'node:path';
import { ErrorCode, IggyError } from '@iggy-ts/sdk';
import { describeError, UsageError } from '../errors.js';
import { type ConnectionSettings, createClient } from '../connection.js';
import { deleteSession, loadSession, saveSession, type Session, sessionFilePath, sessionTokenName } from '../session.js';
import { parseDurationUs } from '../values.js';
import { type CommandContext, type CommandSpec, done } from './command.js';

/** Settings that log in with a saved session's token. */
function sessionSettings(session: Session): ConnectionSettings {
  return {
    transport: session.transport as ConnectionSettings['transport'],
    address: session.address,
    tls: session.tls,
    credentials: { token: session.token },
    credentialsSource: 'session',
    session,
  };
}

/** Deletes the session's token on the server; resolves with the reason when it could not. */
async function deleteSessionToken(session: Session): Promise<string | undefined> {
  const client = createClient(sessionSettings(session), 1);
  try {
    await client.connect();
    await client.deletePersonalAccessToken({ name: session.tokenName });
    return undefined;
  } catch (error) {
    return describeError(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function login(context: CommandContext, expiryUs: bigint): Promise<void> {
  const { connection } = context;
  if (connection.credentialsSource === 'session' || connection.credentialsSource === 'none' || connection.credentials === undefined) {
    throw new UsageError('login needs --username and --password (or IGGY_USERNAME and IGGY_PASSWORD)');
  }
  const client = await context.client();
  const previous = loadSession(context.env);
  if (previous !== undefined) {
    await deleteSessionToken(previous);
    await context.pool.drop(sessionSettings(previous));
  }
  let tokenName = sessionTokenName();
  let created: { token: string } | undefined;
  for (let attempt = 0; created === undefined; attempt += 1) {
    try {
      created = await client.createPersonalAccessToken({ name: tokenName, expiry: expiryUs });
    } catch (error) {
      if (!(error instanceof IggyError) || error.code !== ErrorCode.PersonalAccessTokenAlreadyExists || attempt >= 3) throw error;
      tokenName = sessionTokenName(Date.now() + attempt + 1);
    }
  }
  const credentials = connection.credentials;
  const username = 'username' in credentials ? credentials.username : `user ${client.userId ?? '?'}`;
  const file = saveSession(
    {
      address: connection.address,
      transport: connection.transport,
      // The CA path is saved absolute: later commands may run from another directory.
      ...(connection.tls === undefined ? {} : { tls: { ...connection.tls, ...(connection.tls.ca === undefined ? {} : { ca: path.resolve(connection.tls.ca) }) } }),
      username,
      tokenName,
      token: created.token,
      createdAt: new Date().toISOString(),
    },
    context.env,
  );
  done(context, `logged in as '${username}' to ${connection.address} (session saved in ${file})`, { address: connection.address, username, tokenName, file });
}

async function logout(context: CommandContext): Promise<void> {
  let session: Session | undefined;
  try {
    session = loadSession(context.env);
  } catch (error) {
    deleteSession(context.env);
    done(context, `removed the damaged session file '${sessionFilePath(context.env)}'`, { loggedIn: false, problem: describeError(error) });
    return;
  }
  if (session === undefined) {
    done(context, 'not logged in (no session)', { loggedIn: false });
    return;
  }
  const problem = await deleteSessionToken(session);
  await context.pool.drop(sessionSettings(session));
  deleteSession(context.env);
  if (problem !== undefined) context.io.err(`warning: could not delete the session token '${session.tokenName}' on the server: ${problem}`);
  done(context, `logged out from ${session.address}`, { address: session.address, tokenDeleted: problem === undefined, file: sessionFilePath(context.env) });
}

export const sessionCommands: readonly CommandSpec[] = [
  {
    path: ['login'],
    describe: 'Log in and save a session (a personal access token) for later commands',
    options: { expiry: { type: 'string', requiresArg: true, describe: "Session lifetime: 8h, 30d, ... or 'never' (default)" } },
    examples: [['iggy login --username iggy --password iggy', 'later commands need no credentials']],
    async run(context, args) {
      const expiryText = args.optionalString('expiry');
      const expiry = expiryText === undefined ? 0n : parseDurationUs(expiryText, '--expiry');
      await login(context, expiry);
    },
  },
  {
    path: ['logout'],
    describe: 'Delete the session token on the server and the saved session',
    async run(context) {
      await logout(context);
    },
  },
];
