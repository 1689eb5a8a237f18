/** What every extra transport listener (HTTP, WebSocket, QUIC) gives back to the server. */
import type { Logger } from 'pino';
import type { ServerState } from '../router/context.js';
import type { Router } from '../router/router.js';

export interface Listener {
  /** The port actually bound (port 0 in the config picks a free one). */
  readonly port: number;
  stop(): Promise<void>;
}

export type ListenerFactory = (state: ServerState, router: Router, logger: Logger) => Promise<Listener | undefined>;
