/**
 * Binary status codes → HTTP status and the 0.8 error body `{id, code, reason, field}` (reference 9.2,
 * `core/server/src/http/error.rs`). A handler throws `HttpProblem`; the app renders it.
 */
import { ErrorCode, errorInfo } from '@iggy-ts/protocol';

export interface ErrorBody {
  readonly id: number;
  readonly code: string;
  readonly reason: string;
  readonly field: string | null;
}

/** A failed request: its HTTP status and JSON body (no body: the 401 of the token check). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body?.reason ?? `HTTP ${status}`);
    this.name = 'HttpProblem';
  }
}

/** Codes answered 404 (0.8 list, plus the by-name variants this server reports for name lookups). */
const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
  ErrorCode.StreamIdNotFound,
  ErrorCode.StreamNameNotFound,
  ErrorCode.TopicIdNotFound,
  ErrorCode.TopicNameNotFound,
  ErrorCode.PartitionNotFound,
  ErrorCode.SegmentNotFound,
  ErrorCode.ClientNotFound,
  ErrorCode.ConsumerGroupIdNotFound,
  ErrorCode.ConsumerGroupNameNotFound,
  ErrorCode.ConsumerGroupMemberNotFound,
  ErrorCode.ConsumerOffsetNotFound,
  ErrorCode.ResourceNotFound,
]);

const UNAUTHORIZED_CODES: ReadonlySet<number> = new Set([
  ErrorCode.Unauthenticated,
  ErrorCode.AccessTokenMissing,
  ErrorCode.InvalidAccessToken,
  ErrorCode.InvalidPersonalAccessToken,
]);

/** The `field` 0.8 names for an error (`ErrorResponse::from_error`). */
const FIELD_BY_CODE: ReadonlyMap<number, string> = new Map<number, string>([
  [ErrorCode.StreamIdNotFound, 'stream_id'],
  [ErrorCode.StreamNameNotFound, 'stream_id'],
  [ErrorCode.TopicIdNotFound, 'topic_id'],
  [ErrorCode.TopicNameNotFound, 'topic_id'],
  [ErrorCode.PartitionNotFound, 'partition_id'],
  [ErrorCode.SegmentNotFound, 'segment_id'],
  [ErrorCode.ClientNotFound, 'client_id'],
  [ErrorCode.InvalidStreamName, 'name'],
  [ErrorCode.StreamNameAlreadyExists, 'name'],
  [ErrorCode.InvalidTopicName, 'name'],
  [ErrorCode.TopicNameAlreadyExists, 'name'],
  [ErrorCode.InvalidStreamId, 'stream_id'],
  [ErrorCode.InvalidTopicId, 'topic_id'],
  [ErrorCode.InvalidOffset, 'offset'],
  [ErrorCode.InvalidConsumerGroupId, 'consumer_group_id'],
  [ErrorCode.ConsumerGroupNameAlreadyExists, 'name'],
  [ErrorCode.UserAlreadyExists, 'username'],
  [ErrorCode.PersonalAccessTokenAlreadyExists, 'name'],
]);

export function httpStatusOf(code: number): number {
  if (NOT_FOUND_CODES.has(code)) return 404;
  if (UNAUTHORIZED_CODES.has(code)) return 401;
  if (code === ErrorCode.Unauthorized) return 403;
  return 400;
}

export function errorBody(code: number, reason?: string, field?: string | null): ErrorBody {
  const info = errorInfo(code);
  return { id: code, code: info.snakeName, reason: reason ?? info.message, field: field === undefined ? (FIELD_BY_CODE.get(code) ?? null) : field };
}

/** The problem for a binary error status (as the router answered it). */
export function iggyProblem(code: number, reason?: string, field?: string | null): HttpProblem {
  return new HttpProblem(httpStatusOf(code), errorBody(code, reason, field));
}

/** 0.8's `CustomError::ResourceNotFound`: a GET of something that does not exist. */
export function notFoundProblem(): HttpProblem {
  return new HttpProblem(404, { id: 404, code: 'not_found', reason: 'Resource not found', field: null });
}

/** A request that does not match the declared schema: 400 InvalidFormat (4) naming the field. */
export function invalidFormatProblem(reason: string, field: string | null): HttpProblem {
  return new HttpProblem(400, errorBody(ErrorCode.InvalidFormat, reason, field));
}

/** Missing, malformed, expired or revoked token: 401 with an empty body, as the 0.8 middleware answers. */
export function unauthenticatedProblem(): HttpProblem {
  return new HttpProblem(401, undefined, { 'www-authenticate': 'Bearer' });
}
