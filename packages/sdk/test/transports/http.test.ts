/**
 * HttpTransport without a server: a scripted `fetch` checks the REST call planned for each binary
 * request, the binary response built from each JSON answer, the error mapping, token handling
 * (refresh before expiry, re-login after a rejected token, logout on close) and the exact u64/u128
 * JSON codec.
 */
import { describe, expect, it } from 'vitest';
import {
  CommandCode,
  ErrorCode,
  HttpTransport,
  IggyClient,
  IggyError,
  MAX_TOPIC_SIZE_UNLIMITED,
  groupConsumer,
  header,
  individualConsumer,
  parseJsonLossless,
  partitionId,
  pollingStrategy,
  protocol,
  stringifyJson,
  Message,
} from '@iggy-ts/sdk';

interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

type Reply = { status: number; body?: string | object; contentType?: string } | Error;
type Handler = (call: RecordedCall) => Reply;

const U64_MAX = 18446744073709551615n;
const U128_BIG = 340282366920938463463374607431768211455n;

/** A fetch that answers with `handler`, recording every call (except the connect ping when asked). */
function scriptedFetch(handler: Handler): { fetch: typeof fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const fetchFunction = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call: RecordedCall = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: headers.authorization,
      body: typeof init?.body === 'string' ? parseJsonLossless(init.body) : undefined,
    };
    calls.push(call);
    const reply = handler(call);
    if (reply instanceof Error) throw reply;
    const body = reply.body === undefined ? null : typeof reply.body === 'string' ? reply.body : stringifyJson(reply.body);
    return new Response(body, { status: reply.status, headers: { 'content-type': reply.contentType ?? 'application/json' } });
  }) as typeof fetch;
  return { fetch: fetchFunction, calls };
}

const identity = (token: string, expirySeconds = Math.floor(Date.now() / 1000) + 3600) => ({ user_id: 0, access_token: { token, expiry: expirySeconds } });

/** Answers ping and login; everything else through `rest`. */
function withLogin(rest: Handler, token = 'token-1'): Handler {
  return (call) => {
    if (call.path === '/ping') return { status: 200, body: 'pong', contentType: 'text/plain' };
    if (call.path === '/users/login') return { status: 200, body: identity(token) };
    return rest(call);
  };
}

async function connectedClient(handler: Handler, options: Partial<ConstructorParameters<typeof HttpTransport>[0]> = {}) {
  const scripted = scriptedFetch(handler);
  const transport = new HttpTransport({ url: 'http://iggy.test:3000/', fetch: scripted.fetch, logoutOnClose: false, ...options });
  const client = new IggyClient({ transport, credentials: { username: 'iggy', password: 'iggy' }, reconnect: { maxAttempts: 1 } });
  await client.connect();
  return { client, transport, calls: scripted.calls };
}

async function rejection(promise: Promise<unknown>): Promise<IggyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IggyError);
  return error as IggyError;
}

const streamJson = { id: 1, created_at: 1_700_000_000_000_000, name: 'orders', size: '1.5 KB', messages_count: 3, topics_count: 1 };
const topicJson = {
  id: 2,
  created_at: 1_700_000_000_000_001,
  name: 'events',
  size: '0 B',
  message_expiry: U64_MAX,
  compression_algorithm: 'gzip',
  max_topic_size: U64_MAX,
  replication_factor: 1,
  messages_count: 0,
  partitions_count: 1,
};

describe('JSON with exact big integers', () => {
  it('keeps integers past 2^53 exact and leaves strings untouched', () => {
    const text = '{"id":340282366920938463463374607431768211455,"small":42,"float":1.5e300,"name":"x\\"y 18446744073709551615","neg":-9007199254740993,"list":[9007199254740993]}';
    expect(parseJsonLossless(text)).toEqual({
      id: '340282366920938463463374607431768211455',
      small: 42,
      float: 1.5e300,
      name: 'x"y 18446744073709551615',
      neg: '-9007199254740993',
      list: ['9007199254740993'],
    });
  });

  it('writes bigints as exact numbers and leaves out undefined fields', () => {
    expect(stringifyJson({ id: U128_BIG, offset: 7n, skip: undefined, list: [1n, 'a'], nested: { x: null } })).toBe(
      '{"id":340282366920938463463374607431768211455,"offset":7,"list":[1,"a"],"nested":{"x":null}}',
    );
  });

  it('rejects a body that is not JSON with InvalidJsonResponse', () => {
    expect(() => parseJsonLossless('{"id": 1')).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidJsonResponse }) as Error);
  });
});

describe('REST calls planned from binary requests', () => {
  it('logs in with a password, then sends the token on every request', async () => {
    const { client, calls } = await connectedClient(withLogin(() => ({ status: 200, body: [streamJson] })));
    expect(client.userId).toBe(0);
    const streams = await client.getStreams();
    expect(streams).toEqual([{ id: 1, createdAt: 1_700_000_000_000_000, name: 'orders', sizeBytes: 1500, messagesCount: 3, topicsCount: 1 }]);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /ping', 'POST /users/login', 'GET /streams']);
    expect(calls[1]!.body).toEqual({ username: 'iggy', password: 'iggy', version: 'iggy-ts-sdk' });
    expect(calls[1]!.authorization).toBeUndefined();
    expect(calls[2]!.authorization).toBe('Bearer token-1');
  });

  it('creates a topic with exact u64 expiry and size, and reads them back exactly', async () => {
    const { client, calls } = await connectedClient(withLogin(() => ({ status: 200, body: { ...topicJson, partitions: [] } })));
    const topic = await client.createTopic({ streamId: 'orders', name: 'events', messageExpiry: U64_MAX - 1n, maxTopicSize: MAX_TOPIC_SIZE_UNLIMITED, compressionAlgorithm: 2 });
    expect(calls.at(-1)).toMatchObject({
      method: 'POST',
      path: '/streams/orders/topics',
      body: { name: 'events', partitions_count: 1, compression_algorithm: 'gzip', message_expiry: '18446744073709551614', max_topic_size: '18446744073709551615', replication_factor: 1 },
    });
    expect(topic.messageExpiry).toBe(U64_MAX);
    expect(topic.maxTopicSize).toBe(U64_MAX);
    expect(topic.compressionAlgorithm).toBe(2);
  });

  it('percent-encodes names in paths and refuses names that look like numeric ids', async () => {
    const { client, calls } = await connectedClient(withLogin(() => ({ status: 204 })));
    await client.deleteTopic({ streamId: 'a b/c', topicId: 7 });
    expect(calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/streams/a%20b%2Fc/topics/7' });
    const error = await rejection(client.deleteStream({ streamId: '123' }));
    expect(error.code).toBe(ErrorCode.FeatureUnavailable);
    expect(error.message).toContain('looks like a numeric id');
  });

  it('sends messages as base64 JSON with exact u128 ids and typed headers', async () => {
    const { client, calls } = await connectedClient(withLogin(() => ({ status: 201 })));
    const message = Message.from('hello', { id: U128_BIG, headers: { kind: header.string('order'), n: header.uint32(7) } });
    await client.sendMessages({ streamId: 1, topicId: 2, partitioning: partitionId(3), messages: [message] });
    expect(calls.at(-1)).toEqual({
      method: 'POST',
      path: '/streams/1/topics/2/messages',
      authorization: 'Bearer token-1',
      body: {
        partitioning: { kind: 'partition_id', value: 'AwAAAA==' },
        messages: [
          {
            id: '340282366920938463463374607431768211455',
            payload: Buffer.from('hello').toString('base64'),
            user_headers: [
              { key: { kind: 'string', value: Buffer.from('kind').toString('base64') }, value: { kind: 'string', value: Buffer.from('order').toString('base64') } },
              { key: { kind: 'string', value: Buffer.from('n').toString('base64') }, value: { kind: 'uint32', value: 'BwAAAA==' } },
            ],
          },
        ],
      },
    });
  });

  it('polls with a query and rebuilds the binary messages with exact ids, checksums and headers', async () => {
    const headersBlock = [{ key: { kind: 'string', value: Buffer.from('k').toString('base64') }, value: { kind: 'bool', value: 'AQ==' } }];
    const polled = {
      partition_id: 0,
      current_offset: 9,
      count: 1,
      messages: [
        {
          header: { checksum: U64_MAX, id: U128_BIG, offset: 9, timestamp: 1_700_000_000_000_123, origin_timestamp: 1_700_000_000_000_100, user_headers_length: 12, payload_length: 2, reserved: 0 },
          payload: Buffer.from('hi').toString('base64'),
          user_headers: headersBlock,
        },
      ],
    };
    const { client, calls } = await connectedClient(withLogin(() => ({ status: 200, body: polled })));
    const batch = await client.pollMessages({ streamId: 1, topicId: 2, consumer: individualConsumer('worker 1/a'), partitionId: 0, strategy: pollingStrategy.offset(9), count: 5, autoCommit: true });
    expect(calls.at(-1)!.path).toBe('/streams/1/topics/2/messages?consumer_id=worker%201%2Fa&partition_id=0&kind=offset&value=9&count=5&auto_commit=true');
    const message = batch.messages[0]!;
    expect([message.id, message.checksum, message.offset, message.text(), message.header('k')]).toEqual([U128_BIG, U64_MAX, 9, 'hi', true]);
    expect(batch.currentOffset).toBe(9);
  });

  it('answers reads of missing resources with the binary "not found" payload', async () => {
    const notFound = { status: 404, body: { id: 404, code: 'not_found', reason: 'Resource not found', field: null } };
    const { client } = await connectedClient(withLogin(() => notFound));
    expect(await client.getStream({ streamId: 9 })).toBeUndefined();
    expect(await client.getTopics({ streamId: 9 })).toEqual([]);
    expect(await client.getConsumerOffset({ streamId: 1, topicId: 1 })).toBeUndefined();
    expect(await client.getUser({ userId: 'ghost' })).toBeUndefined();
  });

  it('maps an error body to its Iggy error code', async () => {
    const { client } = await connectedClient(withLogin(() => ({ status: 404, body: { id: 1009, code: 'stream_id_not_found', reason: 'Stream not found', field: 'stream_id' } })));
    const error = await rejection(client.deleteStream({ streamId: 9 }));
    expect(error.code).toBe(1009);
  });

  it('reports a non-JSON error answer (e.g. from a proxy) as HttpResponseError', async () => {
    const { client } = await connectedClient(withLogin(() => ({ status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' })));
    const error = await rejection(client.getStreams());
    expect(error.code).toBe(ErrorCode.HttpResponseError);
    expect(error.message).toContain('HTTP 502');
  });

  it('refuses the commands HTTP cannot carry with FeatureUnavailable', async () => {
    const { client, calls } = await connectedClient(withLogin(() => ({ status: 200, body: {} })));
    const before = calls.length;
    for (const promise of [
      client.getMe(),
      client.joinConsumerGroup({ streamId: 1, topicId: 1, groupId: 1 }),
      client.leaveConsumerGroup({ streamId: 1, topicId: 1, groupId: 1 }),
      client.pollMessages({ streamId: 1, topicId: 1, consumer: groupConsumer(1), strategy: pollingStrategy.next() }),
      client.storeConsumerOffset({ streamId: 1, topicId: 1, consumer: groupConsumer(1), offset: 1 }),
    ]) {
      const error = await rejection(promise);
      expect(error.code).toBe(ErrorCode.FeatureUnavailable);
      expect(error.message).toMatch(/not available over HTTP/);
    }
    expect(calls.length).toBe(before);
  });

  it('answers a malformed binary request with the status the server would give, and an unknown code with InvalidCommand', async () => {
    const { transport } = await connectedClient(withLogin(() => ({ status: 200, body: {} })));
    expect((await transport.request(CommandCode.GetStream, Buffer.from([1]))).status).toBe(protocol.ErrorCode.InvalidCommand);
    expect((await transport.request(999, Buffer.alloc(0))).status).toBe(ErrorCode.InvalidCommand);
  });
});

describe('access tokens', () => {
  it('refreshes the token before it expires', async () => {
    let refreshes = 0;
    const handler: Handler = (call) => {
      if (call.path === '/ping') return { status: 200, body: 'pong' };
      // A token that is due for refresh at once (expires in 1 s).
      if (call.path === '/users/login') return { status: 200, body: identity('short', Math.floor(Date.now() / 1000) + 1) };
      if (call.path === '/users/refresh-token') {
        refreshes += 1;
        expect(call.body).toEqual({ token: 'short' });
        return { status: 200, body: identity('long') };
      }
      return { status: 200, body: [] };
    };
    const { client, transport, calls } = await connectedClient(handler);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.getStreams();
    await client.getStreams();
    expect(refreshes).toBe(1);
    expect(calls.at(-1)!.authorization).toBe('Bearer long');
    expect(transport.tokenExpiresAt).toBeGreaterThan(Date.now() / 1000 + 3000);
  });

  it('logs in again and repeats the request once when the server rejects the token', async () => {
    let logins = 0;
    const handler: Handler = (call) => {
      if (call.path === '/ping') return { status: 200, body: 'pong' };
      if (call.path === '/users/login') {
        logins += 1;
        return { status: 200, body: identity(`token-${logins}`) };
      }
      // The first token is refused (e.g. the server restarted with a new secret).
      if (call.authorization === 'Bearer token-1') return { status: 401 };
      return { status: 200, body: [] };
    };
    const { client, calls } = await connectedClient(handler);
    expect(await client.getStreams()).toEqual([]);
    expect(logins).toBe(2);
    expect(calls.slice(-3).map((call) => `${call.path} ${call.authorization ?? '-'}`)).toEqual(['/streams Bearer token-1', '/users/login -', '/streams Bearer token-2']);
  });

  it('answers Unauthenticated without a token, and after logout', async () => {
    const handler: Handler = (call) => {
      if (call.path === '/ping') return { status: 200, body: 'pong' };
      if (call.path === '/users/login') return { status: 200, body: identity('t') };
      if (call.authorization === undefined) return { status: 401 };
      return call.path === '/users/logout' ? { status: 204 } : { status: 200, body: [] };
    };
    const { client, transport } = await connectedClient(handler);
    await client.logout();
    expect(transport.authenticated).toBe(false);
    expect((await rejection(client.getStreams())).code).toBe(ErrorCode.Unauthenticated);
  });

  it('revokes the token on close', async () => {
    const scripted = scriptedFetch(withLogin(() => ({ status: 204 })));
    const transport = new HttpTransport({ url: 'http://iggy.test:3000', fetch: scripted.fetch });
    const client = new IggyClient({ transport, credentials: { username: 'iggy', password: 'iggy' } });
    await client.connect();
    await client.close();
    expect(scripted.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/users/logout', authorization: 'Bearer token-1' });
    expect(transport.authenticated).toBe(false);
  });

  it('keeps the token out of inspection and serialisation', async () => {
    const { transport } = await connectedClient(withLogin(() => ({ status: 200, body: [] }), 'secret-jwt'));
    const { inspect } = await import('node:util');
    expect(inspect(transport, { depth: 5, showHidden: true })).not.toContain('secret-jwt');
    expect(JSON.stringify(transport)).not.toContain('secret-jwt');
  });
});

describe('connection', () => {
  it('fails to connect with CannotEstablishConnection when the API cannot be reached', async () => {
    const scripted = scriptedFetch(() => new TypeError('fetch failed'));
    const transport = new HttpTransport({ url: 'http://iggy.test:3000', fetch: scripted.fetch });
    expect((await rejection(transport.connect())).code).toBe(ErrorCode.CannotEstablishConnection);
    expect(transport.connected).toBe(false);
  });

  it('turns a network failure into Disconnected and counts as disconnected until connect()', async () => {
    let down = false;
    const { transport } = await connectedClient(withLogin(() => (down ? new TypeError('fetch failed') : { status: 200, body: [] })));
    down = true;
    expect((await rejection(transport.request(CommandCode.GetStreams, Buffer.alloc(0)))).code).toBe(ErrorCode.Disconnected);
    expect(transport.connected).toBe(false);
    expect((await rejection(transport.request(CommandCode.GetStreams, Buffer.alloc(0)))).code).toBe(ErrorCode.NotConnected);
  });

  it('runs requests one at a time in call order by default', async () => {
    let active = 0;
    let activeMax = 0;
    const order: string[] = [];
    const scripted = scriptedFetch(withLogin(() => ({ status: 204 })));
    const slowFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      active += 1;
      activeMax = Math.max(activeMax, active);
      order.push(new URL(String(input)).pathname);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active -= 1;
      return scripted.fetch(input, init);
    }) as typeof fetch;
    const transport = new HttpTransport({ url: 'http://iggy.test:3000', fetch: slowFetch, logoutOnClose: false });
    await transport.connect();
    const deletes = [1, 2, 3, 4].map((id) => transport.request(CommandCode.DeleteStream, protocol.encodeDeleteStreamRequest({ streamId: id })));
    expect((await Promise.all(deletes)).map((response) => response.status)).toEqual([0, 0, 0, 0]);
    expect(activeMax).toBe(1);
    expect(order.slice(1)).toEqual(['/streams/1', '/streams/2', '/streams/3', '/streams/4']);
  });

  it('makes an HTTP client from an http:// address', () => {
    const client = IggyClient.fromAddress('http://127.0.0.1:3000');
    expect(client.transport).toBeInstanceOf(HttpTransport);
    expect((client.transport as HttpTransport).url).toBe('http://127.0.0.1:3000');
  });
});
