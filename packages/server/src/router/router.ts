/**
 * The router: turns one request frame into one response frame. It decodes, checks the login, runs the
 * command against the metadata (the router is its only writer) and the shards, and maps failures to
 * wire status codes. Unknown codes answer InvalidCommand (3), also before login.
 */
import { ErrorCode, IggyError, commandName, encodeErrorResponse } from '@iggy-ts/protocol';
import type { Logger } from 'pino';
import type { Command } from './command.js';
import { FramedResponse, type ServerState } from './context.js';
import { consumerGroupCommands } from './handlers/consumer-groups.js';
import { messageCommands } from './handlers/messages.js';
import { streamCommands } from './handlers/streams.js';
import { systemCommands } from './handlers/system.js';
import { userCommands } from './handlers/users.js';
import type { Session, SessionRegistry } from './sessions.js';

const EMPTY_OK = Buffer.alloc(8);
const SEND_MESSAGES_CODE = 101;

export class Router {
  private readonly commands = new Map<number, Command<unknown>>();
  private readonly logger: Logger;

  constructor(readonly state: ServerState, extraCommands: readonly Command<unknown>[] = []) {
    this.logger = state.logger;
    for (const spec of [...systemCommands, ...userCommands, ...streamCommands, ...consumerGroupCommands, ...messageCommands, ...extraCommands]) {
      this.commands.set(spec.code, spec);
    }
  }

  get sessions(): SessionRegistry {
    return this.state.sessions;
  }

  /** Codes this router answers. */
  get supportedCodes(): number[] {
    return [...this.commands.keys()].sort((a, b) => a - b);
  }

  /** Handles one request; never throws: every failure becomes an error frame. */
  async handle(session: Session, code: number, payload: Buffer): Promise<Uint8Array> {
    // Any request proves the client alive (0.8 counts only Ping; a busy producer should not be evicted).
    session.lastHeartbeatMs = Date.now();
    const spec = this.commands.get(code);
    if (spec === undefined) return encodeErrorResponse(ErrorCode.InvalidCommand);
    try {
      // SendMessages checks the login first (its payload can be large); others decode first, as 0.8 does.
      if (code === SEND_MESSAGES_CODE && !session.authenticated) throw new IggyError(ErrorCode.Unauthenticated);
      const request = spec.decode(payload);
      if (spec.authenticated && !session.authenticated) throw new IggyError(ErrorCode.Unauthenticated);
      const result = await spec.run({ state: this.state, session }, request, payload);
      if (result === undefined) return EMPTY_OK;
      if (result instanceof FramedResponse) return result.bytes;
      const frame = Buffer.allocUnsafe(8 + result.length);
      frame.writeUInt32LE(0, 0);
      frame.writeUInt32LE(result.length, 4);
      frame.set(result, 8);
      return frame;
    } catch (error) {
      if (error instanceof IggyError) {
        if (this.logger.isLevelEnabled('debug')) {
          this.logger.debug({ clientId: session.clientId, command: commandName(code), code: error.code, reason: error.message }, 'command failed');
        }
        return encodeErrorResponse(error.code);
      }
      this.logger.error({ err: error, clientId: session.clientId, command: commandName(code) }, 'command crashed');
      return encodeErrorResponse(ErrorCode.Error);
    }
  }

  /** A connection went away: its consumer-group memberships end, its partitions go to the others. */
  onDisconnect(session: Session): void {
    this.state.sessions.remove(session);
    this.state.metadata.removeClient(session.clientId);
  }
}
