/** HTTP listener: being built (see the transports issue); refuses to start when enabled until then. */
import type { ListenerFactory } from '../transports/listener.js';

export const startHttpListener: ListenerFactory = async (state) => {
  if (!state.config.http.enabled) return undefined;
  throw new Error('the HTTP transport is not available in this build');
};
