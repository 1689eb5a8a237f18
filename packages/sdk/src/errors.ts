/**
 * Error helpers of the SDK. Every failure the SDK reports is an IggyError (from @iggy-ts/protocol)
 * whose `code` is the Iggy wire code; these helpers classify them.
 */
import { ErrorCode, IggyError, commandName, errorInfo } from '@iggy-ts/protocol';

/** Codes that mean the connection, not the command, failed. */
const CONNECTION_ERROR_CODES: ReadonlySet<number> = new Set([ErrorCode.Disconnected, ErrorCode.NotConnected, ErrorCode.CannotEstablishConnection]);

/** True when `error` is an IggyError caused by the connection (dropped, not connected, cannot connect). */
export function isConnectionError(error: unknown): boolean {
  return error instanceof IggyError && CONNECTION_ERROR_CODES.has(error.code);
}

/** True when the same request may succeed later: connection errors and request timeouts (TaskTimeout, 12001). */
export function isRetriableError(error: unknown): boolean {
  return error instanceof IggyError && (CONNECTION_ERROR_CODES.has(error.code) || error.code === ErrorCode.TaskTimeout);
}

/** The IggyError for a non-zero response status, naming the error, its code and the command. */
export function commandError(status: number, code: number): IggyError {
  const info = errorInfo(status);
  return new IggyError(status, `${info.message} (${info.name}, code ${status}) in ${commandName(code) ?? `command ${code}`}`);
}
