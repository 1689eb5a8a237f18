/** WebSocket listener: being built (see the transports issue); refuses to start when enabled until then. */
import type { ListenerFactory } from './listener.js';

export const startWebSocketListener: ListenerFactory = async (state) => {
  if (!state.config.websocket.enabled) return undefined;
  throw new Error('the WebSocket transport is not available in this build');
};
