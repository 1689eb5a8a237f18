/** Starts the transports other than TCP, each an adapter onto the same router and shards. */
import type { Logger } from 'pino';
import type { ServerState } from '../router/context.js';
import type { Router } from '../router/router.js';
import { childLogger } from '../logging.js';
import { startHttpListener } from '../http/listener.js';
import type { Listener } from './listener.js';
import { startQuicListener } from './quic.js';
import { startWebSocketListener } from './websocket.js';

export interface ExtraListeners {
  http?: Listener;
  websocket?: Listener;
  quic?: Listener;
}

export async function startExtraListeners(state: ServerState, router: Router, logger: Logger): Promise<ExtraListeners> {
  const started: ExtraListeners = {};
  try {
    const http = await startHttpListener(state, router, childLogger(logger, 'http'));
    if (http !== undefined) {
      started.http = http;
      state.boundPorts.http = http.port;
    }
    const websocket = await startWebSocketListener(state, router, childLogger(logger, 'websocket'));
    if (websocket !== undefined) {
      started.websocket = websocket;
      state.boundPorts.websocket = websocket.port;
    }
    const quic = await startQuicListener(state, router, childLogger(logger, 'quic'));
    if (quic !== undefined) {
      started.quic = quic;
      state.boundPorts.quic = quic.port;
    }
  } catch (error) {
    await stopExtraListeners(started);
    throw error;
  }
  return started;
}

export async function stopExtraListeners(listeners: ExtraListeners): Promise<void> {
  await Promise.all([listeners.http?.stop(), listeners.websocket?.stop(), listeners.quic?.stop()]);
}
