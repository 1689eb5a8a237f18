/**
 * A transport carries request frames to the server and response frames back, one response per
 * request, in order. TCP and TLS now; QUIC, HTTP and WebSocket implement the same interface.
 */
export interface RawResponse {
  /** 0 = OK, otherwise an Iggy error code. */
  status: number;
  payload: Buffer;
}

export interface Transport {
  /** Opens the connection. */
  connect(): Promise<void>;
  /** Sends one command and resolves with its response (requests may be queued; answers keep order). */
  request(code: number, payload: Uint8Array): Promise<RawResponse>;
  /** Closes the connection; pending requests fail. */
  close(): Promise<void>;
  readonly connected: boolean;
}
