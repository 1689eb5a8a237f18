/**
 * Every `iggy` subcommand but the message ones (messages.test.ts), run as a user runs it (the built
 * binary in a child process) against a live server. Fixtures are made, and effects checked, through
 * an SDK client of the test's own (cheap) whenever the CLI is not what is being tested; independent
 * invocations run concurrently.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IggyClient } from '@iggy-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, iggy, LiveFixture, peerCertificatePem, removeDirectory, startServer, temporaryDirectory, type TestServer } from './helpers.js';

let fixture: LiveFixture;
let server: TestServer;
let cli: CliUser;
let admin: IggyClient;

beforeAll(async () => {
  fixture = await LiveFixture.start();
  ({ server, cli, admin } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

describe('iggy (every subcommand against a live server)', () => {
  it('prints help and version without a server', async () => {
    const [help, version] = await Promise.all([iggy([]), iggy(['--version'])]);
    expect(help.code).toBe(0);
    for (const command of ['stream', 'topic', 'partition', 'segment', 'message', 'offset', 'group', 'user', 'pat', 'client', 'ping', 'stats', 'me', 'snapshot', 'login', 'logout', 'shell']) {
      expect(help.stdout).toContain(`iggy ${command} `);
    }
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('pings without credentials, and shows stats, me and clients', async () => {
    const { clientId } = await admin.getMe();
    const [ping, stats, statsJson, me, clients, client] = await Promise.all([
      iggy(['--address', server.address, 'ping', '--count', '2']),
      cli.ok(['stats']),
      cli.json<{ iggyServerVersion: string; streamsCount: number }>(['stats']),
      cli.json<{ clientId: number; userId: number }>(['me']),
      cli.ok(['client', 'list']),
      cli.ok(['client', 'get', String(clientId)]),
    ]);
    expect(ping.code).toBe(0);
    expect(ping.stdout).toMatch(/^pong from 127\.0\.0\.1:\d+: [\d.]+ ms\npong from 127\.0\.0\.1:\d+: [\d.]+ ms\n$/);
    expect(stats).toMatch(/^server version:\s+\d/);
    expect(stats).toMatch(/^streams:\s+\d+$/m);
    expect(statsJson.iggyServerVersion).toMatch(/^\d/);
    expect(me.userId).toBe(0);
    expect(clients).toMatch(new RegExp(`^ID\\s+USER\\s+TRANSPORT\\s+ADDRESS\\s+GROUPS\\n(.*\\n)*${clientId}\\s+0\\s+tcp\\s+127\\.0\\.0\\.1:\\d+\\s+0\\n`));
    expect(client).toMatch(new RegExp(`^client id:\\s+${clientId}\\nuser id:\\s+0\\ntransport:\\s+tcp\\naddress:\\s+127\\.0\\.0\\.1:\\d+\\nconsumer groups: 0\\n$`));
  });

  it('creates, lists, shows, renames, purges and deletes streams', async () => {
    const created = await cli.ok(['stream', 'create', 'orders']);
    expect(created).toMatch(/^created stream 'orders' \(id \d+\)\n$/);
    const id = (await admin.getStream({ streamId: 'orders' }))!.id;
    const [list, byName, byId] = await Promise.all([cli.ok(['stream', 'list']), cli.ok(['stream', 'get', 'orders']), cli.json<{ name: string }>(['stream', 'get', String(id)])]);
    expect(list).toMatch(new RegExp(`^ID\\s+NAME\\s+TOPICS\\s+MESSAGES\\s+SIZE\\s+CREATED\\n(.*\\n)*${id}\\s+orders\\s+0\\s+0\\s+0 B\\s+\\d{4}-`));
    expect(byName).toMatch(new RegExp(`^id:\\s+${id}\\nname:\\s+orders\\n`));
    expect(byId.name).toBe('orders'); // a string of digits is an id
    expect(await cli.ok(['stream', 'update', 'orders', 'orders2'])).toBe("renamed stream 'orders' to 'orders2'\n");
    expect(await cli.ok(['stream', 'purge', 'orders2'])).toBe("purged stream 'orders2'\n");
    expect(await cli.ok(['stream', 'delete', String(id)])).toBe(`deleted stream ${id}\n`);
    expect(await admin.getStream({ streamId: id })).toBeUndefined();
  });

  it('creates, lists, shows, updates, purges and deletes topics', async () => {
    await admin.createStream({ name: 'catalog' });
    expect(await cli.ok(['topic', 'create', 'catalog', 'items', '--partitions', '3', '--message-expiry', '7d', '--max-topic-size', '10GB', '--compression', 'gzip'])).toMatch(
      /^created topic 'items' \(id \d+\) in stream 'catalog' with 3 partitions\n$/,
    );
    const [list, get] = await Promise.all([cli.ok(['topic', 'list', 'catalog']), cli.ok(['topic', 'get', 'catalog', 'items'])]);
    expect(list).toMatch(/^ID\s+NAME\s+PARTITIONS\s+MESSAGES\s+SIZE\s+EXPIRY\s+MAX SIZE\s+CREATED\n\d+\s+items\s+3\s+0\s+0 B\s+7d\s+10.00 GB\s+\d{4}-/);
    expect(get).toMatch(/compression:\s+gzip/);
    expect(get).toMatch(/^PARTITION\s+SEGMENTS\s+CURRENT OFFSET\s+MESSAGES\s+SIZE\s+CREATED\n0\s/m);
    expect(await admin.getTopic({ streamId: 'catalog', topicId: 'items' })).toMatchObject({ partitionsCount: 3, messageExpiry: 7n * 86_400_000_000n, maxTopicSize: 10_000_000_000n, compressionAlgorithm: 2 });
    expect(await cli.ok(['topic', 'update', 'catalog', 'items', '--name', 'goods', '--message-expiry', 'never', '--max-topic-size', 'unlimited', '--replication-factor', '1'])).toBe(
      "updated topic 'items' in stream 'catalog'\n",
    );
    expect(await cli.ok(['topic', 'get', 'catalog', 'goods', '--output', 'json'])).toContain('"name": "goods"');
    expect(await cli.ok(['topic', 'purge', 'catalog', 'goods'])).toBe("purged topic 'goods' in stream 'catalog'\n");
    expect(await cli.ok(['topic', 'delete', 'catalog', 'goods'])).toBe("deleted topic 'goods' from stream 'catalog'\n");
    expect(await cli.ok(['topic', 'list', 'catalog'])).toBe("no topics in stream 'catalog'\n");
  });

  it('adds and deletes partitions and deletes segments', async () => {
    await fixture.topic('parts', 'p');
    expect(await cli.ok(['partition', 'create', 'parts', 'p', '2'])).toBe("added 2 partitions to topic 'p' in stream 'parts'\n");
    expect((await admin.getTopic({ streamId: 'parts', topicId: 'p' }))!.partitionsCount).toBe(3);
    expect(await cli.ok(['partition', 'delete', 'parts', 'p', '1'])).toBe("deleted 1 partition from topic 'p' in stream 'parts'\n");
    expect((await admin.getTopic({ streamId: 'parts', topicId: 'p' }))!.partitionsCount).toBe(2);
    expect(await cli.ok(['segment', 'delete', 'parts', 'p', '0', '--count', '1'])).toBe("deleted up to 1 segment of partition 0 in topic 'p'\n");
  });

  it('creates, lists, shows, joins, leaves and deletes consumer groups', async () => {
    await fixture.topic('groups', 't', 2);
    expect(await cli.ok(['group', 'create', 'groups', 't', 'readers'])).toMatch(/^created consumer group 'readers' \(id \d+\) in topic 't'\n$/);
    await admin.joinConsumerGroup({ streamId: 'groups', topicId: 't', groupId: 'readers' });
    const [list, get] = await Promise.all([cli.ok(['group', 'list', 'groups', 't']), cli.ok(['group', 'get', 'groups', 't', 'readers'])]);
    // After the listings: a one-shot join is a member while it runs.
    const [join, leave] = await Promise.all([cli.ok(['group', 'join', 'groups', 't', 'readers']), cli.run(['group', 'leave', 'groups', 't', 'readers'])]);
    expect(list).toMatch(/^ID\s+NAME\s+PARTITIONS\s+MEMBERS\n\d+\s+readers\s+2\s+1\n$/);
    expect(get).toMatch(/^id:\s+\d+\nname:\s+readers\npartitions:\s+2\nmembers:\s+1\n\nMEMBER\s+PARTITIONS\n\d+\s+0,1\n$/);
    expect(join).toBe("joined consumer group 'readers' in topic 't' (membership ends when this command exits; use iggy shell to keep it)\n");
    // A one-shot command has a fresh connection, which is not a member (iggy shell keeps one).
    expect(leave.stderr).toBe("error: this connection is not a member of consumer group 'readers' (5006)\n");
    expect(leave.code).toBe(1);
    expect(await cli.ok(['group', 'delete', 'groups', 't', 'readers'])).toBe("deleted consumer group 'readers' from topic 't'\n");
    expect(await cli.ok(['group', 'list', 'groups', 't'])).toBe("no consumer groups in topic 't'\n");
  });

  it('manages users, passwords and permissions', async () => {
    await fixture.topic('perm', 'inbox');
    expect(await cli.ok(['user', 'create', 'alice', 'secret1', '--global', 'read_streams,poll_messages', '--stream', 'perm=read_stream', '--topic', 'perm/inbox=send_messages'])).toMatch(/^created user 'alice' \(id \d+\)\n$/);
    const [list, get, denied] = await Promise.all([
      cli.ok(['user', 'list']),
      cli.ok(['user', 'get', 'alice']),
      iggy(['--address', server.address, '-u', 'alice', '-p', 'secret1', 'stream', 'create', 'nope']),
    ]);
    expect(list).toMatch(/^ID\s+USERNAME\s+STATUS\s+CREATED\n0\s+iggy\s+active\s+\d{4}-.*\n\d+\s+alice\s+active\s+\d{4}-/);
    expect(get).toMatch(/^global permissions: read_streams,poll_messages$/m);
    expect(get).toMatch(/^\d+\s+\*\s+read_stream$/m);
    expect(get).toMatch(/^\d+\s+\d+\s+send_messages$/m);
    expect(denied.stderr).toBe('error: permission denied (41)\n');
    expect(await cli.ok(['user', 'password', 'alice', 'secret1', 'secret2'])).toBe("changed the password of user 'alice'\n");
    expect(await cli.ok(['user', 'permissions', 'alice', '--global', 'all'])).toBe("updated the permissions of user 'alice'\n");
    // The new password and the new permissions both hold.
    expect((await iggy(['--address', server.address, '-u', 'alice', '-p', 'secret2', 'stream', 'create', 'by-alice'])).code).toBe(0);
    expect(await cli.ok(['user', 'permissions', 'alice', '--none'])).toBe("cleared the permissions of user 'alice'\n");
    expect((await admin.getUser({ userId: 'alice' }))!.permissions).toBeUndefined();
    expect(await cli.ok(['user', 'update', 'alice', '--name', 'bob', '--status', 'inactive'])).toBe("updated user 'alice'\n");
    expect(await cli.json<{ username: string; status: number }>(['user', 'get', 'bob'])).toMatchObject({ username: 'bob', status: 2 });
    expect(await cli.ok(['user', 'delete', 'bob'])).toBe("deleted user 'bob'\n");
    expect(await admin.getUser({ userId: 'bob' })).toBeUndefined();
  });

  it('creates, lists and deletes personal access tokens, and logs in with one', async () => {
    const token = (await cli.ok(['pat', 'create', 'ci-token', '--expiry', '1h'])).trim();
    expect(token.length).toBeGreaterThan(20);
    const [list, withToken] = await Promise.all([cli.ok(['pat', 'list']), iggy(['--address', server.address, '--token', token, 'me'])]);
    expect(list).toMatch(/^NAME\s+EXPIRES\n(.*\n)*ci-token\s+\d{4}-/);
    expect(withToken.code).toBe(0);
    expect(await cli.ok(['pat', 'delete', 'ci-token'])).toBe("deleted personal access token 'ci-token'\n");
    expect((await admin.getPersonalAccessTokens()).map((entry) => entry.name)).not.toContain('ci-token');
  });

  it('writes a snapshot ZIP to --output-file', async () => {
    const directory = temporaryDirectory('snapshot');
    const file = path.join(directory, 'snapshot.zip');
    try {
      expect(await cli.ok(['snapshot', '--output-file', file, '--types', 'server_config,test', '--compression', 'stored'])).toMatch(/^wrote snapshot \([\d.]+ \w?B\) to .*snapshot\.zip\n$/);
      expect(readFileSync(file).subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
    } finally {
      removeDirectory(directory);
    }
  });

  it('logs in, runs commands on the saved session without credentials or address, and logs out', async () => {
    const directory = temporaryDirectory('session');
    const inSession = (args: string[]) => iggy(args, { env: { IGGY_CONTEXT_DIR: directory } });
    try {
      const login = await iggy(['--address', server.address, 'login', '--username', 'iggy', '--password', 'iggy'], { env: { IGGY_CONTEXT_DIR: directory } });
      expect(login.stdout).toMatch(/^logged in as 'iggy' to 127\.0\.0\.1:\d+ \(session saved in .*context\.json\)\n$/);
      const saved = JSON.parse(readFileSync(path.join(directory, 'context.json'), 'utf8')) as { address: string; tokenName: string; token: string };
      expect(saved.address).toBe(server.address);
      expect(saved.tokenName).toMatch(/^iggy-cli-.+-[0-9a-z]+$/);
      expect((await admin.getPersonalAccessTokens()).map((entry) => entry.name)).toContain(saved.tokenName);
      const [me, wrong] = await Promise.all([inSession(['me']), inSession(['-u', 'iggy', '-p', 'wrong', 'me'])]);
      expect(me.code).toBe(0);
      expect(wrong.stderr).toBe('error: invalid credentials (42)\n'); // credentials on the command line win
      expect((await inSession(['logout'])).stdout).toBe(`logged out from ${server.address}\n`);
      expect(existsSync(path.join(directory, 'context.json'))).toBe(false);
      expect((await admin.getPersonalAccessTokens()).map((entry) => entry.name)).not.toContain(saved.tokenName);
      expect((await inSession(['logout'])).stdout).toBe('not logged in (no session)\n');
    } finally {
      removeDirectory(directory);
    }
  });

  it('takes credentials from IGGY_USERNAME / IGGY_PASSWORD and the address from IGGY_ADDRESS', async () => {
    const result = await iggy(['me', '--output', 'json'], { env: { IGGY_ADDRESS: server.address, IGGY_USERNAME: 'iggy', IGGY_PASSWORD: 'iggy', IGGY_CONTEXT_DIR: cli.contextDirectory } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ userId: 0 });
  });

  it('connects with TLS (--tls-ca), and a session remembers it', async () => {
    const tlsServer = await startServer({ tls: true });
    const directory = temporaryDirectory('tls');
    const caFile = path.join(directory, 'server.pem');
    try {
      writeFileSync(caFile, await peerCertificatePem(tlsServer.server.addresses.tcp!.port));
      const withTls = (args: string[]) => iggy(['--address', tlsServer.address, ...args], { env: { IGGY_CONTEXT_DIR: directory } });
      const [trusted, untrusted] = await Promise.all([withTls(['--tls-ca', caFile, 'ping']), withTls(['--tls', 'ping'])]);
      expect(trusted.stdout).toMatch(/^pong from 127\.0\.0\.1:\d+: [\d.]+ ms\n$/);
      expect(untrusted.stderr).toMatch(/^error: cannot connect to 127\.0\.0\.1:\d+: self[- ]signed certificate\n$/);
      expect(untrusted.code).toBe(1);
      expect((await withTls(['--tls-ca', caFile, 'login', '-u', 'iggy', '-p', 'iggy'])).code).toBe(0);
      const me = await iggy(['me', '--output', 'json'], { env: { IGGY_CONTEXT_DIR: directory } });
      expect(JSON.parse(me.stdout)).toMatchObject({ userId: 0 });
    } finally {
      removeDirectory(directory);
      await tlsServer.stop();
    }
  });

  it('works over HTTP (--transport http), and a session remembers the transport', async () => {
    const httpServer = await startServer({ http: true });
    const directory = temporaryDirectory('http');
    const address = `127.0.0.1:${httpServer.server.addresses.http!.port}`;
    const run = (args: string[]) => iggy(args, { env: { IGGY_CONTEXT_DIR: directory } });
    try {
      const login = await run(['--transport', 'http', '--address', address, 'login', '-u', 'iggy', '-p', 'iggy']);
      expect(login.stdout).toBe(`logged in as 'iggy' to ${address} (session saved in ${path.join(directory, 'context.json')})\n`);
      // No --transport and no --address: both come from the session.
      expect(await run(['stream', 'create', 'web']).then((result) => result.stdout)).toMatch(/^created stream 'web' \(id \d+\)\n$/);
      const [list, me] = await Promise.all([run(['stream', 'list']), run(['me'])]);
      expect(list.stdout).toMatch(/\d+\s+web\s+0\s+0\s+0 B/);
      expect(me.stderr).toBe('error: me is not available over HTTP in Iggy 0.8 (5)\n');
      expect((await run(['logout'])).stdout).toBe(`logged out from ${address}\n`);
    } finally {
      removeDirectory(directory);
      await httpServer.stop();
    }
  });
});
