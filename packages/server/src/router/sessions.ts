/**
 * Connected clients. A session is one connection (TCP, TLS, QUIC, WebSocket) or the shared HTTP
 * client; consumer-group membership belongs to the session, as in Iggy 0.8.
 */
import { xxh32 } from '@iggy-ts/protocol';

/** Transport codes as GetClient reports them (reference 2.14). */
export const Transport = { tcp: 1, quic: 2, http: 3, websocket: 4 } as const;
export type TransportCode = (typeof Transport)[keyof typeof Transport];

export interface JoinedGroup {
  streamId: number;
  topicId: number;
  groupId: number;
}

export class Session {
  userId: number | null = null;
  /** Last Ping (or connect) time, for the heartbeat verifier. */
  lastHeartbeatMs: number;
  readonly joinedGroups: JoinedGroup[] = [];
  /** Set when the session must be closed after its current response (stale client, server stopping). */
  closeAfterResponse = false;
  /** Closes the underlying connection; set by the listener. */
  close: () => void = () => {};

  constructor(readonly clientId: number, readonly address: string, readonly transport: TransportCode, nowMs: number) {
    this.lastHeartbeatMs = nowMs;
  }

  get authenticated(): boolean {
    return this.userId !== null;
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<number, Session>();

  /** Registers a connection; its client id is XXH32 of "ip:port" as in Iggy 0.8 (collisions get the next free id). */
  open(address: string, transport: TransportCode): Session {
    let clientId = xxh32(Buffer.from(address, 'utf8'));
    while (clientId === 0 || this.sessions.has(clientId)) clientId = (clientId + 1) >>> 0;
    const session = new Session(clientId, address, transport, Date.now());
    this.sessions.set(clientId, session);
    return session;
  }

  remove(session: Session): void {
    this.sessions.delete(session.clientId);
  }

  get(clientId: number): Session | undefined {
    return this.sessions.get(clientId);
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Sessions logged in as `userId`. */
  forUser(userId: number): Session[] {
    return [...this.sessions.values()].filter((session) => session.userId === userId);
  }
}
