/**
 * A transport carries request frames to the server and response frames back, one response per
 * request, in order. TCP and TLS now; QUIC, HTTP and WebSocket implement the same interface.
 */
/** One response frame: its status and payload. */
export interface RawResponse {
  /** 0 = OK, otherwise an Iggy error code. */
  status: number;
  payload: Buffer;
}

/** What IggyClient needs from a connection to the server. */
export interface Transport {
  /** Opens the connection. May be called again after the connection dropped or was closed. */
  connect(): Promise<void>;
  /** Sends one command and resolves with its response (requests may be queued; answers keep order). */
  request(code: number, payload: Uint8Array): Promise<RawResponse>;
  /** Closes the connection; pending requests fail. */
  close(): Promise<void>;
  /** True while the connection is open. */
  readonly connected: boolean;
  /**
   * Optional: registers a listener called once each time an open connection drops without `close()`
   * having been called (server gone, network error). The client uses it to reconnect at once; a
   * transport without it is reconnected when a request fails with Disconnected/NotConnected.
   * Returns a function that removes the listener.
   */
  onDisconnect?(listener: (error: Error) => void): () => void;
}
