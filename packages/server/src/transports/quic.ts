/** QUIC listener: being built (see the transports issue); refuses to start when enabled until then. */
import type { ListenerFactory } from './listener.js';

export const startQuicListener: ListenerFactory = async (state) => {
  if (!state.config.quic.enabled) return undefined;
  throw new Error('the QUIC transport is not available in this build');
};
