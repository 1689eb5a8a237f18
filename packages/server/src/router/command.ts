/** How a command is described to the dispatcher: decode, whether it needs login, and what it does. */
import type { Context, HandlerResult } from './context.js';

export interface Command<Request> {
  readonly code: number;
  /** Decodes the payload; throws DecodeError (status 3/4). Runs before the login check, as 0.8 does. */
  readonly decode: (payload: Buffer) => Request;
  /** Whether the session must be logged in (all but Ping, LoginUser, LoginWithPersonalAccessToken). */
  readonly authenticated: boolean;
  readonly run: (context: Context, request: Request, payload: Buffer) => HandlerResult | Promise<HandlerResult>;
}

export function command<Request>(
  code: number,
  decode: (payload: Buffer) => Request,
  run: (context: Context, request: Request, payload: Buffer) => HandlerResult | Promise<HandlerResult>,
  authenticated = true,
): Command<unknown> {
  return { code, decode, run, authenticated } as Command<unknown>;
}
