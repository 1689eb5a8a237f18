/**
 * A walk of every HTTP route against a live server, once per engine (uWebSockets.js and node:http):
 * valid requests with their 0.8 JSON shapes (each 2xx body is also checked against the schema its
 * route documents), then the failure paths: 400 for malformed bodies, parameters and queries, 401
 * for missing/invalid/expired/revoked tokens, 403 without permission, 404 and 405, CORS preflights
 * and 413 for oversize bodies. The last test reads the request counters of /metrics to prove that
 * every declared route answered a success at least once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandCode,
  ConsumerKind,
  encodeJoinConsumerGroupRequest,
  encodeLoginUserRequest,
  encodeStoreConsumerOffsetRequest,
} from '@iggy-ts/protocol';
import { JWT_AUDIENCE, JWT_ISSUER, JwtManager, uuidV7 } from '../../src/http/jwt.js';
import { allRoutes } from '../../src/http/routes/index.js';
import { Transport } from '../../src/router/sessions.js';
import { ENGINES, JWT_SECRET, REQUEST_SIZE_BYTES_MAX, base64, client, expectError, startHttpServer, type Client, type HttpTestServer } from './helpers.js';

const U64_MAX = 18446744073709551615n;
const partitionValue = (id: number): string => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(id);
  return bytes.toString('base64');
};

describe.each(ENGINES)('HTTP API on the %s engine', (engine) => {
  let server: HttpTestServer;
  let http: Client;
  let root: string;

  beforeAll(async () => {
    server = await startHttpServer(engine);
    http = client(server.base);
    root = await http.login();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves with the engine it was configured for', async () => {
    const reply = await http.get('/ping');
    // uWebSockets.js stamps every response with its own header.
    expect(reply.headers.get('uwebsockets') !== null).toBe(engine === 'uws');
  });

  it('answers the public banner, ping and OpenAPI routes without a token', async () => {
    const banner = await http.get('/');
    expect([banner.status, banner.text]).toEqual([200, 'Iggy API']);
    expect(banner.headers.get('content-type')).toContain('text/plain');
    const ping = await http.get('/ping');
    expect([ping.status, ping.text]).toEqual([200, 'pong']);
    const document = await http.get('/openapi.json');
    expect(document.status).toBe(200);
    expect(document.json.openapi).toBe('3.1.0');
  });

  it('logs in with IdentityInfo and refuses wrong credentials', async () => {
    const reply = await http.post('/users/login', { body: { username: 'iggy', password: 'iggy', version: '0.8.0', context: 'test' } });
    expect(reply.status).toBe(200);
    expect(reply.json.user_id).toBe(0);
    expect(reply.json.access_token.expiry).toBeGreaterThan(Date.now() / 1000);
    expectError(await http.post('/users/login', { body: { username: 'iggy', password: 'wrong' } }), 400, 42, 'invalid_credentials');
  });

  it('walks the stream, topic, partition and segment routes', async () => {
    const created = await http.post('/streams', { token: root, body: { name: 'orders' } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ id: 0, name: 'orders', size: '0 B', messages_count: 0, topics_count: 0, topics: [] });
    expect((await http.get('/streams', { token: root })).json.map((stream: { name: string }) => stream.name)).toEqual(['orders']);
    expect((await http.get('/streams/orders', { token: root })).json.id).toBe(0);
    expect((await http.get('/streams/0', { token: root })).json.name).toBe('orders');
    expect((await http.put('/streams/0', { token: root, body: { name: 'sales' } })).status).toBe(204);
    expect((await http.get('/streams/sales', { token: root })).status).toBe(200);

    // u64 sentinels travel as exact JSON numbers; max_topic_size also accepts text.
    const topic = await http.post('/streams/sales/topics', {
      token: root,
      rawBody: '{"name":"eu","partitions_count":2,"compression_algorithm":"none","message_expiry":18446744073709551615,"max_topic_size":"unlimited","replication_factor":1}',
    });
    expect(topic.status, topic.text).toBe(200);
    expect(topic.json).toMatchObject({ id: 0, name: 'eu', message_expiry: U64_MAX, max_topic_size: U64_MAX, partitions_count: 2, compression_algorithm: 'none' });
    expect(topic.json.partitions.map((partition: { id: number }) => partition.id)).toEqual([0, 1]);
    expect((await http.get('/streams/sales/topics', { token: root })).json.map((entry: { name: string }) => entry.name)).toEqual(['eu']);

    const updated = await http.put('/streams/sales/topics/eu', { token: root, body: { name: 'europe', compression_algorithm: 'gzip', message_expiry: 60_000_000, max_topic_size: 0 } });
    expect(updated.status, updated.text).toBe(204);
    const details = await http.get('/streams/0/topics/europe', { token: root });
    expect(details.json).toMatchObject({ name: 'europe', compression_algorithm: 'gzip', message_expiry: 60_000_000 });

    expect((await http.post('/streams/0/topics/0/partitions', { token: root, body: { partitions_count: 2 } })).status).toBe(201);
    expect((await http.get('/streams/0/topics/0', { token: root })).json.partitions_count).toBe(4);
    expect((await http.delete('/streams/0/topics/0/partitions?partitions_count=1', { token: root })).status).toBe(204);
    expect((await http.get('/streams/0/topics/0', { token: root })).json.partitions_count).toBe(3);
    const segments = await http.delete('/streams/0/topics/0/partitions/2?segments_count=1', { token: root });
    expect(segments.status, segments.text).toBe(204);

    const other = await http.post('/streams/0/topics', { token: root, body: { name: 'temporary', partitions_count: 1 } });
    expect(other.status, other.text).toBe(200);
    expect((await http.delete('/streams/0/topics/temporary/purge', { token: root })).status).toBe(204);
    expect((await http.delete('/streams/0/topics/temporary', { token: root })).status).toBe(204);
    expect((await http.get('/streams/0/topics/temporary', { token: root })).status).toBe(404);

    const scratch = await http.post('/streams', { token: root, body: { name: 'scratch' } });
    expect((await http.delete(`/streams/${scratch.json.id}/purge`, { token: root })).status).toBe(204);
    expect((await http.delete('/streams/scratch', { token: root })).status).toBe(204);
  });

  it('sends, polls and flushes messages with exact ids and typed user headers', async () => {
    await http.post('/streams', { token: root, body: { name: 'events' } });
    await http.post('/streams/events/topics', { token: root, body: { name: 'clicks', partitions_count: 2 } });
    const uuid = '0190a0b1-c2d3-7e4f-8a9b-0c1d2e3f4a5b';
    const sent = await http.post('/streams/events/topics/clicks/messages', {
      token: root,
      rawBody: JSON.stringify({
        partitioning: { kind: 'partition_id', value: partitionValue(0) },
        messages: [
          { id: 1, payload: base64('first'), user_headers: [{ key: { kind: 'string', value: base64('region') }, value: { kind: 'uint32', value: 'BwAAAA==' } }] },
          { id: uuid, payload: base64('second') },
          { payload: base64('third'), user_headers: null },
        ],
      }).replace('"id":1,', '"id":340282366920938463463374607431768211455,'),
    });
    expect(sent.status, sent.text).toBe(201);
    expect(sent.text).toBe('');

    const polled = await http.get('/streams/events/topics/clicks/messages?partition_id=0&kind=offset&value=0&count=10', { token: root });
    expect(polled.status, polled.text).toBe(200);
    expect(polled.json).toMatchObject({ partition_id: 0, current_offset: 2, count: 3 });
    const [first, second, third] = polled.json.messages;
    expect(first.header.id).toBe((1n << 128n) - 1n);
    expect(second.header.id).toBe(BigInt(`0x${uuid.replace(/-/g, '')}`));
    expect(third.header.id).not.toBe(0);
    expect(Buffer.from(first.payload, 'base64').toString()).toBe('first');
    expect(first.header).toMatchObject({ offset: 0, payload_length: 5, user_headers_length: 20, reserved: 0 });
    expect(typeof first.header.checksum === 'number' || typeof first.header.checksum === 'bigint').toBe(true);
    expect(first.user_headers).toEqual([{ key: { kind: 'string', value: base64('region') }, value: { kind: 'uint32', value: 'BwAAAA==' } }]);
    expect(second.user_headers).toEqual([]);

    const next = await http.get('/streams/events/topics/clicks/messages?consumer_id=9&partition_id=0&kind=next&count=2&auto_commit=true', { token: root });
    expect(next.json.messages.map((message: { header: { offset: number } }) => message.header.offset)).toEqual([0, 1]);
    const after = await http.get('/streams/events/topics/clicks/messages?consumer_id=9&partition_id=0&kind=next&count=5&auto_commit=true', { token: root });
    expect(after.json.messages.map((message: { header: { offset: number } }) => message.header.offset)).toEqual([2]);
    const last = await http.get('/streams/events/topics/clicks/messages?partition_id=0&kind=last&count=1', { token: root });
    expect(last.json.messages[0].header.offset).toBe(2);
    const defaults = await http.get('/streams/events/topics/clicks/messages', { token: root });
    expect(defaults.json.count).toBe(3);

    // Balanced and keyed batches go to another topic, so the offsets of clicks stay known.
    await http.post('/streams/events/topics', { token: root, body: { name: 'views', partitions_count: 3 } });
    const balanced = await http.post('/streams/events/topics/views/messages', { token: root, body: { partitioning: { kind: 'balanced', value: '' }, messages: [{ payload: base64('b') }] } });
    expect(balanced.status, balanced.text).toBe(201);
    const keyed = await http.post('/streams/events/topics/views/messages', { token: root, body: { partitioning: { kind: 'messages_key', value: base64('user-1') }, messages: [{ payload: base64('k') }] } });
    expect(keyed.status, keyed.text).toBe(201);
    expect((await http.get('/streams/events/topics/views', { token: root })).json.messages_count).toBe(2);

    const flushed = await http.get('/streams/events/topics/clicks/messages/flush/0/true', { token: root });
    expect([flushed.status, flushed.text]).toEqual([200, '']);
    expect((await http.get('/streams/events/topics/clicks/messages/flush/1/false', { token: root })).status).toBe(200);
    const topic = await http.get('/streams/events/topics/clicks', { token: root });
    expect(topic.json.messages_count).toBe(3);
  });

  it('stores, reads and deletes an individual consumer offset', async () => {
    const stored = await http.put('/streams/events/topics/clicks/consumer-offsets', { token: root, body: { consumer_id: 7, partition_id: 0, offset: 1 } });
    expect(stored.status, stored.text).toBe(204);
    const offset = await http.get('/streams/events/topics/clicks/consumer-offsets?consumer_id=7&partition_id=0', { token: root });
    expect(offset.json).toEqual({ partition_id: 0, current_offset: 2, stored_offset: 1 });
    expect((await http.put('/streams/events/topics/clicks/consumer-offsets', { token: root, body: { consumer_id: 'reader', offset: 0 } })).status).toBe(204);
    expect((await http.get('/streams/events/topics/clicks/consumer-offsets?consumer_id=reader', { token: root })).json.stored_offset).toBe(0);
    expect((await http.delete('/streams/events/topics/clicks/consumer-offsets/7?partition_id=0', { token: root })).status).toBe(204);
    expectError(await http.get('/streams/events/topics/clicks/consumer-offsets?consumer_id=7&partition_id=0', { token: root }), 404, 404, 'not_found', null);
  });

  it('creates, lists, reads and deletes consumer groups', async () => {
    const created = await http.post('/streams/events/topics/clicks/consumer-groups', { token: root, body: { name: 'billing' } });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: 'billing', partitions_count: 2, members_count: 0, members: [] });
    const groups = await http.get('/streams/events/topics/clicks/consumer-groups', { token: root });
    expect(groups.json.map((group: { name: string }) => group.name)).toEqual(['billing']);
    expect((await http.get(`/streams/events/topics/clicks/consumer-groups/${created.json.id}`, { token: root })).json.name).toBe('billing');
    expect((await http.get('/streams/events/topics/clicks/consumer-groups/billing', { token: root })).json.id).toBe(created.json.id);
    const spare = await http.post('/streams/events/topics/clicks/consumer-groups', { token: root, body: { name: 'spare' } });
    expect((await http.delete(`/streams/events/topics/clicks/consumer-groups/${spare.json.id}`, { token: root })).status).toBe(204);
    expectError(await http.get('/streams/events/topics/clicks/consumer-groups/spare', { token: root }), 404, 404, 'not_found');
  });

  it('manages users, their permissions and passwords', async () => {
    const created = await http.post('/users', {
      token: root,
      body: {
        username: 'alice',
        password: 'secret1',
        status: 'active',
        permissions: { global: { read_streams: true }, streams: { '0': { read_stream: true, topics: { '0': { poll_messages: true } } } } },
      },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({ username: 'alice', status: 'active' });
    expect(created.json.permissions.global).toMatchObject({ read_streams: true, manage_servers: false });
    expect(created.json.permissions.streams['0']).toMatchObject({ read_stream: true, manage_stream: false });
    expect(created.json.permissions.streams['0'].topics['0']).toEqual({ manage_topic: false, read_topic: false, poll_messages: true, send_messages: false });
    const users = await http.get('/users', { token: root });
    expect(users.json.map((user: { username: string }) => user.username)).toEqual(['iggy', 'alice']);
    expect((await http.get('/users/alice', { token: root })).json.id).toBe(created.json.id);
    expect((await http.put('/users/alice', { token: root, body: { username: 'alice2', status: 'inactive' } })).status).toBe(204);
    const renamed = await http.get(`/users/${created.json.id}`, { token: root });
    expect(renamed.json).toMatchObject({ username: 'alice2', status: 'inactive' });
    expect((await http.put('/users/alice2', { token: root, body: { status: 'active' } })).status).toBe(204);
    expect((await http.put('/users/alice2/permissions', { token: root, body: { permissions: null } })).status).toBe(204);
    expect((await http.get('/users/alice2', { token: root })).json.permissions).toBeNull();
    const changed = await http.put('/users/alice2/password', { token: root, body: { current_password: 'secret1', new_password: 'secret2' } });
    expect(changed.status, changed.text).toBe(204);
    const alice = await http.login('alice2', 'secret2');
    expect((await http.get('/users/alice2', { token: alice })).status).toBe(200);
    expect((await http.delete('/users/alice2', { token: root })).status).toBe(204);
    expectError(await http.get('/users/alice2', { token: root }), 404, 404, 'not_found');
  });

  it('creates, lists, logs in with and deletes personal access tokens', async () => {
    const created = await http.post('/personal-access-tokens', { token: root, body: { name: 'ci-token', expiry: 0 } });
    expect(created.status, created.text).toBe(200);
    expect(typeof created.json.token).toBe('string');
    const withExpiry = await http.post('/personal-access-tokens', { token: root, body: { name: 'short-lived', expiry: 3_600_000_000 } });
    expect(withExpiry.status).toBe(200);
    const list = await http.get('/personal-access-tokens', { token: root });
    expect(list.json.map((entry: { name: string }) => entry.name)).toEqual(['ci-token', 'short-lived']);
    expect(list.json[0].expiry_at).toBeNull();
    expect(list.json[1].expiry_at).toBeGreaterThan(Date.now() * 1000);
    const login = await http.post('/personal-access-tokens/login', { body: { token: created.json.token } });
    expect(login.status).toBe(200);
    expect(login.json.user_id).toBe(0);
    expect((await http.get('/streams', { token: login.json.access_token.token })).status).toBe(200);
    expect((await http.delete('/personal-access-tokens/ci-token', { token: root })).status).toBe(204);
        // As in 0.8, an unknown token is ResourceNotFound (20), hence 404.
    expectError(await http.post('/personal-access-tokens/login', { body: { token: created.json.token } }), 404, 20, 'resource_not_found');
    expectError(await http.post('/personal-access-tokens/login', { body: { token: '' } }), 400, 4, 'invalid_format');
  });

  it('refreshes a token once and revokes a token on logout', async () => {
    const first = await http.login();
    const refreshed = await http.post('/users/refresh-token', { body: { token: first } });
    expect(refreshed.status).toBe(200);
    const second = refreshed.json.access_token.token as string;
    expect((await http.get('/streams', { token: first })).status).toBe(401);
    expectError(await http.post('/users/refresh-token', { body: { token: first } }), 401, 78, 'invalid_access_token');
    expect((await http.get('/streams', { token: second })).status).toBe(200);
    expect((await http.delete('/users/logout', { token: second })).status).toBe(204);
    const revoked = await http.get('/streams', { token: second });
    expect([revoked.status, revoked.text]).toEqual([401, '']);
    expectError(await http.post('/users/refresh-token', { body: { token: second } }), 401, 78, 'invalid_access_token');
  });

  it('answers stats, cluster metadata, clients and snapshot', async () => {
    const stats = await http.get('/stats', { token: root });
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({ streams_count: 2, iggy_server_version: '0.8.0', process_id: process.pid });
    expect(stats.json.memory_usage).toMatch(/^\d+(\.\d+)? (B|KB|MB|GB|TB)$/);
    const cluster = await http.get('/cluster/metadata', { token: root });
    expect(cluster.json.nodes[0]).toMatchObject({ role: 'leader', status: 'healthy', endpoints: { http: server.port } });

    const tcpClient = server.server.router.sessions.open('10.1.2.3:4567', Transport.tcp);
    try {
      const clients = await http.get('/clients', { token: root });
      expect(clients.json.some((entry: { client_id: number; transport: string; user_id: unknown }) => entry.client_id === tcpClient.clientId && entry.transport === 'tcp' && entry.user_id === null)).toBe(true);
      const one = await http.get(`/clients/${tcpClient.clientId}`, { token: root });
      expect(one.json).toMatchObject({ client_id: tcpClient.clientId, address: '10.1.2.3:4567', transport: 'tcp', consumer_groups: [] });
    } finally {
      server.server.router.onDisconnect(tcpClient);
    }
    expectError(await http.get(`/clients/${tcpClient.clientId}`, { token: root }), 404, 404, 'not_found');

    const snapshot = await http.post('/snapshot', { token: root, body: { compression: 'Deflated', snapshot_types: ['Test'] } });
    // The router has no GetSnapshot yet: the route answers what the router answers.
    if (snapshot.status === 200) expect(snapshot.headers.get('content-type')).toBe('application/zip');
    else expectError(snapshot, 400, 3, 'invalid_command');
    expectError(await http.post('/snapshot', { token: root, body: { snapshot_types: ['All', 'Test'] } }), 400, 3, 'invalid_command', 'snapshot_types');
  });

  it('answers 401 with an empty body for missing, malformed, foreign, expired and revoked tokens', async () => {
    const other = new JwtManager({ secret: Buffer.from('another-secret-that-is-long-enough!!'), accessTokenExpirySeconds: 60 });
    const same = new JwtManager({ secret: Buffer.from(JWT_SECRET), accessTokenExpirySeconds: 60 });
    const now = Math.floor(Date.now() / 1000);
    const expired = same.sign({ jti: uuidV7(), iss: JWT_ISSUER, aud: JWT_AUDIENCE, sub: '0', iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
    const premature = same.sign({ jti: uuidV7(), iss: JWT_ISSUER, aud: JWT_AUDIENCE, sub: '0', iat: now, nbf: now + 3600, exp: now + 7200 });
    const valid = same.sign({ jti: uuidV7(), iss: JWT_ISSUER, aud: JWT_AUDIENCE, sub: '0', iat: now, nbf: now, exp: now + 60 });
    expect((await http.get('/streams', { token: valid })).status).toBe(200);
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Basic aWdneTppZ2d5' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Bearer ${other.issue(0).token}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${premature}` },
    ];
    for (const headers of attempts) {
      const reply = await http.get('/streams', { headers });
      expect([reply.status, reply.text], JSON.stringify(headers)).toEqual([401, '']);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    }
    // As in 0.8, the token check runs before routing: an unknown path without a token is 401.
    expect((await http.get('/no/such/route')).status).toBe(401);
  });

  it('answers 403 for a user without the permission', async () => {
    const created = await http.post('/users', { token: root, body: { username: 'bob', password: 'bobpass', status: 'active', permissions: null } });
    expect(created.status).toBe(200);
    const bob = await http.login('bob', 'bobpass');
    expectError(await http.get('/users', { token: bob }), 403, 41, 'unauthorized');
    expectError(await http.post('/streams', { token: bob, body: { name: 'nope' } }), 403, 41, 'unauthorized');
    expectError(await http.get('/stats', { token: bob }), 403, 41, 'unauthorized');
    expectError(await http.get('/streams/events/topics/clicks/messages', { token: bob }), 403, 41, 'unauthorized');
    expect((await http.get('/users/bob', { token: bob })).status).toBe(200);
  });

  it('answers 404 JSON for unknown routes and missing resources, 405 for a wrong method', async () => {
    expectError(await http.get('/no/such/route', { token: root }), 404, 404, 'not_found', null);
    expectError(await http.get('/streams/999', { token: root }), 404, 404, 'not_found', null);
    expectError(await http.get('/streams/missing/topics', { token: root }), 404, 404, 'not_found');
    expectError(await http.get('/streams/events/topics/999', { token: root }), 404, 404, 'not_found');
    expectError(await http.get('/streams/events/topics/missing/consumer-groups', { token: root }), 404, 404, 'not_found');
    expectError(await http.get('/users/999', { token: root }), 404, 404, 'not_found');
    expectError(await http.delete('/streams/999', { token: root }), 404, 1009, 'stream_id_not_found', 'stream_id');
    expectError(await http.delete('/streams/events/topics/999', { token: root }), 404, 2010, 'topic_id_not_found', 'topic_id');
    const wrongMethod = await http.put('/ping');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(wrongMethod.json).toMatchObject({ id: 405, code: 'method_not_allowed' });
  });

  it('answers 400 JSON naming the field for malformed bodies, parameters and queries', async () => {
    const cases: [Promise<ReturnType<Client['get']> extends Promise<infer R> ? R : never>, number, string, string | null][] = [
      [http.post('/streams', { token: root, rawBody: '{"name":' }), 4, 'invalid_format', null],
      [http.post('/streams', { token: root, rawBody: '' }), 4, 'invalid_format', null],
      [http.post('/streams', { token: root, body: [1, 2] }), 4, 'invalid_format', null],
      [http.post('/streams', { token: root, body: { name: 5 } }), 4, 'invalid_format', 'name'],
      [http.post('/streams', { token: root, body: {} }), 4, 'invalid_format', 'name'],
      [http.post('/streams', { token: root, body: { name: 'é'.repeat(200) } }), 1013, 'invalid_stream_name', 'name'],
      [http.post('/streams/events/topics', { token: root, body: { name: 't', partitions_count: -1 } }), 4, 'invalid_format', 'partitions_count'],
      [http.post('/streams/events/topics', { token: root, body: { name: 't', partitions_count: 1, replication_factor: 0 } }), 2018, 'invalid_replication_factor', null],
      [http.post('/streams/events/topics', { token: root, body: { name: 't', partitions_count: 1, max_topic_size: 'lots' } }), 4, 'invalid_format', 'max_topic_size'],
      [http.post('/streams/events/topics', { token: root, body: { name: 't', partitions_count: 1, compression_algorithm: 'zip' } }), 4, 'invalid_format', 'compression_algorithm'],
      [http.post('/streams/events/topics/clicks/messages', { token: root, body: { partitioning: { kind: 'sideways' }, messages: [] } }), 4, 'invalid_format', 'partitioning.kind'],
      [http.post('/streams/events/topics/clicks/messages', { token: root, body: { partitioning: { kind: 'balanced' }, messages: [{ payload: 'not base64!' }] } }), 4, 'invalid_format', 'messages[0].payload'],
      [http.post('/streams/events/topics/clicks/messages', { token: root, body: { partitioning: { kind: 'balanced' }, messages: [{ id: 'xyz', payload: 'AA==' }] } }), 4, 'invalid_format', 'messages[0].id'],
      [http.post('/streams/events/topics/clicks/messages', { token: root, body: { partitioning: { kind: 'partition_id', value: 'AA==' }, messages: [{ payload: 'AA==' }] } }), 4, 'invalid_format', 'partitioning.value'],
      [http.post('/streams/events/topics/clicks/messages', { token: root, body: { partitioning: { kind: 'messages_key', value: '' }, messages: [{ payload: 'AA==' }] } }), 4028, 'invalid_key_value_length', 'partitioning.value'],
      [http.post('/streams/events/topics/clicks/messages', { token: root, body: { partitioning: { kind: 'balanced' }, messages: [] } }), 4009, 'invalid_messages_count', null],
      [
        http.post('/streams/events/topics/clicks/messages', {
          token: root,
          body: { partitioning: { kind: 'balanced' }, messages: [{ payload: 'AA==', user_headers: [{ key: { kind: 'string', value: base64('k') }, value: { kind: 'uint32', value: 'AQ==' } }] }] },
        }),
        4019,
        'invalid_header_value',
        'messages[0].user_headers[0].value.value',
      ],
      [http.get('/streams/events/topics/clicks/messages?kind=sideways', { token: root }), 4, 'invalid_format', 'kind'],
      [http.get('/streams/events/topics/clicks/messages?count=-5', { token: root }), 4, 'invalid_format', 'count'],
      [http.get('/streams/events/topics/clicks/messages/flush/0/maybe', { token: root }), 4, 'invalid_format', 'fsync'],
      [http.get('/streams/events/topics/clicks/messages/flush/x/true', { token: root }), 4, 'invalid_format', 'partition_id'],
      [http.delete('/streams/events/topics/clicks/partitions', { token: root }), 4, 'invalid_format', 'partitions_count'],
      [http.delete('/streams/events/topics/clicks/partitions?partitions_count=abc', { token: root }), 4, 'invalid_format', 'partitions_count'],
      [http.get('/clients/not-a-number', { token: root }), 4, 'invalid_format', 'client_id'],
      [http.put('/streams/events/topics/clicks/consumer-offsets', { token: root, body: { consumer_id: 1 } }), 4, 'invalid_format', 'offset'],
      [http.post('/users', { token: root, body: { username: 'carol', password: 'pw-carol', permissions: { global: {}, streams: { abc: {} } } } }), 4, 'invalid_format', 'permissions.streams.abc'],
      [http.post('/users/login', { body: { username: 'iggy' } }), 4, 'invalid_format', 'password'],
    ];
    for (const [pending, id, code, field] of cases) {
      const reply = await pending;
      expectError(reply, 400, id, code, field);
    }
    const reason = (await http.post('/streams', { token: root, body: { name: 5 } })).json.reason;
    expect(reason).toBe('field name must be a string of 1 to 255 characters');
  });

  it('answers CORS preflights and adds CORS headers to responses', async () => {
    const preflight = await http.request('OPTIONS', '/streams', {
      headers: { origin: 'http://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    const simple = await http.get('/ping', { headers: { origin: 'http://example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('*');
    const error = await http.get('/streams', { headers: { origin: 'http://example.com' } });
    expect([error.status, error.headers.get('access-control-allow-origin')]).toEqual([401, '*']);
  });

  it('answers 413 for a body over http.max_request_size, declared or streamed', async () => {
    const oversize = JSON.stringify({ name: 'x'.repeat(REQUEST_SIZE_BYTES_MAX) });
    const declared = await http.post('/streams', { token: root, rawBody: oversize });
    expectError(declared, 413, 413, 'payload_too_large', null);
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sentChunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sentChunks === 8) controller.close();
        else {
          sentChunks += 1;
          controller.enqueue(chunk);
        }
      },
    });
    const streamed = await fetch(`${server.base}/streams`, { method: 'POST', headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ id: 413, code: 'payload_too_large' });
    expect((await http.get('/ping')).status).toBe(200);
  });

  it('exposes Prometheus metrics with HTTP traffic, storage figures, consumer lag and process figures', async () => {
    // A group member commits an offset through the binary protocol; /metrics reports the lag.
    const router = server.server.router;
    const session = router.sessions.open('10.9.9.9:1', Transport.tcp);
    try {
      const ok = async (code: number, payload: Buffer): Promise<void> => {
        const frame = Buffer.from(await router.handle(session, code, payload));
        expect(frame.readUInt32LE(0)).toBe(0);
      };
      await ok(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
      await ok(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId: 'events', topicId: 'clicks', groupId: 'billing' }));
      await ok(CommandCode.StoreConsumerOffset, encodeStoreConsumerOffsetRequest({ consumer: { kind: ConsumerKind.ConsumerGroup, id: 'billing' }, streamId: 'events', topicId: 'clicks', partitionId: 0, offset: 0 }));
    } finally {
      router.onDisconnect(session);
    }
    const metrics = await http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = metrics.text;
    expect(text).toMatch(/^iggy_http_requests_total\{method="POST",route="\/streams",status="200"\} \d+$/m);
    expect(text).toMatch(/^iggy_http_request_duration_seconds_bucket\{method="GET",route="\/ping",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^iggy_http_messages_sent_total\{stream_id="\d+",stream="events",topic_id="0",topic="clicks"\} 3$/m);
    expect(text).toMatch(/^iggy_http_messages_polled_total\{stream_id="\d+",stream="events",topic_id="0",topic="clicks"\} \d+$/m);
    expect(text).toMatch(/^iggy_topic_messages\{stream_id="\d+",stream="events",topic_id="0",topic="clicks"\} 3$/m);
    expect(text).toMatch(/^iggy_partition_current_offset\{stream_id="\d+",stream="events",topic_id="0",topic="clicks",partition_id="0"\} 2$/m);
    expect(text).toMatch(/^iggy_partition_segments\{.*topic="clicks",partition_id="0"\} [1-9]\d*$/m);
    expect(text).toMatch(/^iggy_consumer_group_stored_offset\{.*group="billing",partition_id="0"\} 0$/m);
    expect(text).toMatch(/^iggy_consumer_group_lag_messages\{.*group="billing",partition_id="0"\} 2$/m);
    expect(text).toMatch(/^iggy_messages_sent_total \d+$/m);
    expect(text).toMatch(/^iggy_shard_requests_in_flight\{shard="0"\} \d+$/m);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'iggy_uptime_seconds', 'iggy_clients']) {
      expect(text).toMatch(new RegExp(`^${name} [0-9.e+-]+$`, 'm'));
    }
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{quantile="0.99"\} [0-9.e+-]+$/m);
    // Every sample line is name{labels} value.
    for (const line of text.trimEnd().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf)$/);
    }
  });

  it('has answered every declared route with a success status', async () => {
    const text = (await http.get('/metrics')).text;
    const succeeded = new Set<string>();
    for (const match of text.matchAll(/^iggy_http_requests_total\{method="([A-Z]+)",route="([^"]+)",status="(\d+)"\} \d+$/gm)) {
      if (match[3]!.startsWith('2')) succeeded.add(`${match[1]} ${match[2]}`);
    }
    for (const route of allRoutes({ metricsEnabled: true })) {
      const key = `${route.method} ${route.path}`;
      // GetSnapshot is not implemented by the router yet (see the snapshot test).
      if (key === 'POST /snapshot') continue;
      expect(succeeded, key).toContain(key);
    }
  });
});
