import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig, resolveConfigPath, type LoadConfigOptions } from './load.js';
import { DEFAULT_SERVER_CONFIG } from './schema.js';
import { GiB, KiB, MiB } from './units.js';

const directory = mkdtempSync(join(tmpdir(), 'iggy-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let fileCount = 0;
function writeConfig(extension: 'toml' | 'json' | 'yaml', content: string): string {
  fileCount += 1;
  const path = join(directory, `config-${fileCount}.${extension}`);
  writeFileSync(path, content);
  return path;
}

/** The problems of the ConfigError that loading throws. */
function problemsOf(options: LoadConfigOptions): readonly string[] {
  try {
    loadConfig({ env: {}, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig defaults and file choice', () => {
  it('returns the built-in defaults with no file, no environment and no overrides', () => {
    expect(loadConfig({ env: {} })).toEqual(DEFAULT_SERVER_CONFIG);
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tcp.tls)).toBe(true);
  });

  it('reads the file named by IGGY_CONFIG_PATH, and the path option wins over it', () => {
    const fromEnv = writeConfig('toml', '[system]\npath = "from-env"\n');
    const fromOption = writeConfig('toml', '[system]\npath = "from-option"\n');
    expect(loadConfig({ env: { IGGY_CONFIG_PATH: fromEnv } }).system.path).toBe('from-env');
    expect(loadConfig({ path: fromOption, env: { IGGY_CONFIG_PATH: fromEnv } }).system.path).toBe('from-option');
    expect(resolveConfigPath({ env: { IGGY_CONFIG_PATH: '' } })).toBeNull();
    expect(resolveConfigPath({ path: fromOption, env: {} })).toBe(fromOption);
  });
});

describe('loadConfig from a TOML file', () => {
  it('sets the keys the file gives and keeps defaults for the others', () => {
    const path = writeConfig(
      'toml',
      `
[system]
path = "/var/lib/iggy"
shards = 4

[system.message_deduplication]
enabled = true
expiry = "5 min"

[tcp]
address = "0.0.0.0:9000"

[tcp.tls]
enabled = true
cert_file = "certs/server.pem"
key_file = "certs/server.key"

[http.cors]
allowed_origins = ["https://example.com"]

[segment]
size = "256 MiB"
cache_size = 1048576

[durability]
mode = "fsync"
flush_interval = 500

[topic]
message_expiry = "7 days"
max_size = "10 GiB"

[logging]
file = "logs/server.log"
`,
    );
    const config = loadConfig({ path, env: {} });
    expect(config.system).toEqual({
      path: '/var/lib/iggy',
      shardCount: 4,
      messageDeduplication: { enabled: true, entryCountMax: 10_000, expiryMs: 300_000 },
    });
    expect(config.tcp.address).toBe('0.0.0.0:9000');
    expect(config.tcp.tls).toEqual({
      ...DEFAULT_SERVER_CONFIG.tcp.tls,
      enabled: true,
      certFile: 'certs/server.pem',
      keyFile: 'certs/server.key',
    });
    expect(config.http.cors.allowedOrigins).toEqual(['https://example.com']);
    expect(config.http.cors.allowedMethods).toEqual(['GET', 'POST', 'PUT', 'DELETE']);
    expect(config.segment.sizeBytes).toBe(256 * MiB);
    expect(config.segment.cacheSizeBytes).toBe(MiB);
    expect(config.durability.mode).toBe('fsync');
    expect(config.durability.flushIntervalMs).toBe(500);
    expect(config.topic.messageExpiryMs).toBe(7 * 86_400_000);
    expect(config.topic.sizeBytesMax).toBe(10 * GiB);
    expect(config.logging.file).toBe('logs/server.log');
    expect(config.limits).toEqual(DEFAULT_SERVER_CONFIG.limits);
  });

  it('treats an empty optional string as unset', () => {
    const path = writeConfig('toml', '[logging]\nfile = ""\n');
    expect(loadConfig({ path, env: {} }).logging.file).toBeNull();
  });

  it('reports a syntax error with its line and column', () => {
    const path = writeConfig('toml', '[tcp]\naddress = \n');
    expect(problemsOf({ path })).toEqual([`cannot parse ${path}: invalid value at line 2, column 11`]);
  });
});

describe('loadConfig from a JSON file', () => {
  it('reads the same keys, with null for unset optional strings', () => {
    const path = writeConfig(
      'json',
      JSON.stringify({
        tcp: { address: '127.0.0.1:0', tls: { cert_file: null } },
        segment: { size: '64 MiB' },
        topic: { max_size: 'unlimited', message_expiry: 'none' },
        root: { username: 'admin', password: 'secret-password' },
      }),
    );
    const config = loadConfig({ path, env: {} });
    expect(config.tcp.address).toBe('127.0.0.1:0');
    expect(config.tcp.tls.certFile).toBeNull();
    expect(config.segment.sizeBytes).toBe(64 * MiB);
    expect(config.topic.sizeBytesMax).toBeNull();
    expect(config.root).toEqual({ username: 'admin', password: 'secret-password' });
  });

  it('reports a syntax error', () => {
    const path = writeConfig('json', '{"tcp": }');
    const problems = problemsOf({ path });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^cannot parse ${path}: Unexpected token`));
  });

  it('rejects a document that is not an object', () => {
    const path = writeConfig('json', '[1, 2]');
    expect(problemsOf({ path })).toEqual([`cannot use ${path}: the top level must be an object of sections`]);
  });
});

describe('loadConfig file problems', () => {
  it('reports a missing file', () => {
    const path = join(directory, 'missing.toml');
    const problems = problemsOf({ path });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^cannot read ${path}: ENOENT`))]);
  });

  it('reports a file that is neither TOML nor JSON', () => {
    const path = writeConfig('yaml', 'tcp: {}');
    expect(problemsOf({ path })).toEqual([`cannot tell the format of ${path}: name it *.toml or *.json`]);
  });

  it('reports unknown keys with the nearest known key', () => {
    const path = writeConfig('toml', '[tcp]\nadress = "127.0.0.1:1"\n\n[system.segment]\nsize = "1 GiB"\n\n[metrics]\nenabled = true\n');
    expect(problemsOf({ path })).toEqual([
      `unknown key tcp.adress (did you mean tcp.address?) (in ${path})`,
      `unknown key system.segment (did you mean segment?) (in ${path})`,
      `unknown key metrics (in ${path})`,
    ]);
  });

  it('reports a section written as a value', () => {
    const path = writeConfig('toml', 'tcp = 5\n');
    expect(problemsOf({ path })).toEqual([`tcp = 5 must be a section (a table of keys) (in ${path})`]);
  });

  it('reports a wrong type for every kind of value, all in one error', () => {
    const path = writeConfig(
      'toml',
      `
[system]
path = 5
shards = "4"
[system.message_deduplication]
max_entries = 1.5
[tcp]
enabled = "yes"
address = 8090
[http.cors]
allowed_methods = "GET"
[segment]
size = true
[durability]
mode = 1
flush_interval = [1]
`,
    );
    const problems = problemsOf({ path });
    const suffix = ` (in ${path})`;
    expect(problems).toEqual([
      `system.path = 5 must be a string${suffix}`,
      `system.shards = "4" must be a whole number${suffix}`,
      `system.message_deduplication.max_entries = 1.5 must be a whole number${suffix}`,
      `tcp.enabled = "yes" must be a boolean (true or false)${suffix}`,
      `tcp.address = 8090 must be a string${suffix}`,
      `http.cors.allowed_methods = "GET" must be a list of strings${suffix}`,
      expect.stringMatching(/^segment\.size = true must be a size such as "16 MiB"/),
      `durability.mode = 1 must be a string${suffix}`,
      expect.stringMatching(/^durability\.flush_interval = \[1\] must be a duration such as "30 s"/),
    ]);
    const error = new ConfigError(problems);
    expect(error.message.split('\n')).toHaveLength(problems.length);
    expect(error.message).toMatch(/^config: system\.path = 5 must be a string/);
  });
});

describe('loadConfig environment overrides', () => {
  it('parses each variable by the type of its key', () => {
    const config = loadConfig({
      env: {
        IGGY_TCP_ENABLED: 'false',
        IGGY_TCP_TLS_ENABLED: 'TRUE',
        IGGY_TCP_TLS_SELF_SIGNED: 'true',
        IGGY_TCP_ADDRESS: '[::1]:8090',
        IGGY_SYSTEM_PATH: '/data/iggy',
        IGGY_SYSTEM_SHARDS: '8',
        IGGY_SYSTEM_MESSAGE_DEDUPLICATION_MAX_ENTRIES: '500',
        IGGY_DURABILITY_MODE: 'fsync',
        IGGY_SEGMENT_SIZE: '512 MiB',
        IGGY_SEGMENT_CACHE_SIZE: '0',
        IGGY_DURABILITY_FLUSH_INTERVAL: '5 s',
        IGGY_TOPIC_MESSAGE_EXPIRY: '1 h',
        IGGY_TOPIC_MAX_SIZE: 'unlimited',
        IGGY_HTTP_CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        IGGY_LOGGING_FILE: '',
        IGGY_PERSONAL_ACCESS_TOKEN_CLEANER_INTERVAL: '2 m',
        IGGY_ROOT_USERNAME: 'admin',
        IGGY_ROOT_PASSWORD: 'password',
      },
    });
    expect(config.tcp.enabled).toBe(false);
    expect(config.tcp.tls).toMatchObject({ enabled: true, selfSigned: true });
    expect(config.tcp.address).toBe('[::1]:8090');
    expect(config.system.path).toBe('/data/iggy');
    expect(config.system.shardCount).toBe(8);
    expect(config.system.messageDeduplication.entryCountMax).toBe(500);
    expect(config.durability.mode).toBe('fsync');
    expect(config.segment.sizeBytes).toBe(512 * MiB);
    expect(config.segment.cacheSizeBytes).toBe(0);
    expect(config.durability.flushIntervalMs).toBe(5000);
    expect(config.topic.messageExpiryMs).toBe(3_600_000);
    expect(config.topic.sizeBytesMax).toBeNull();
    expect(config.http.cors.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.logging.file).toBeNull();
    expect(config.personalAccessToken.cleaner.intervalMs).toBe(120_000);
    expect(config.root).toEqual({ username: 'admin', password: 'password' });
  });

  it('wins over the file', () => {
    const path = writeConfig('toml', '[tcp]\naddress = "127.0.0.1:1111"\n[segment]\nsize = "1 MiB"\n');
    const config = loadConfig({ path, env: { IGGY_TCP_ADDRESS: '127.0.0.1:2222' } });
    expect(config.tcp.address).toBe('127.0.0.1:2222');
    expect(config.segment.sizeBytes).toBe(MiB);
  });

  it('ignores variables that match no key', () => {
    expect(loadConfig({ env: { IGGY_TCP_ADRESS: 'nonsense', IGGY_SOMETHING: '1' } })).toEqual(DEFAULT_SERVER_CONFIG);
  });

  it('reports unparsable values naming the variable', () => {
    expect(problemsOf({ env: { IGGY_TCP_ENABLED: 'yes', IGGY_SYSTEM_SHARDS: '4x', IGGY_SEGMENT_SIZE: 'big', IGGY_HEARTBEAT_INTERVAL: '5 M' } })).toEqual([
      'system.shards = "4x" must be a whole number (from IGGY_SYSTEM_SHARDS)',
      'tcp.enabled = "yes" must be a boolean (true or false) (from IGGY_TCP_ENABLED)',
      expect.stringMatching(/^segment\.size = "big" must be a size such as "16 MiB" .* \(from IGGY_SEGMENT_SIZE\)$/),
      expect.stringMatching(/^heartbeat\.interval = "5 M" has an unknown duration unit "M" .* \(from IGGY_HEARTBEAT_INTERVAL\)$/),
    ]);
  });
});

describe('loadConfig programmatic overrides', () => {
  it('win over the environment and keep sibling values', () => {
    const config = loadConfig({
      env: { IGGY_TCP_ADDRESS: '127.0.0.1:2222', IGGY_SYSTEM_PATH: 'from-env' },
      overrides: { tcp: { address: '127.0.0.1:0' }, segment: { sizeBytes: 4 * KiB }, topic: { messageExpiryMs: 1000 } },
    });
    expect(config.tcp.address).toBe('127.0.0.1:0');
    expect(config.tcp.enabled).toBe(true);
    expect(config.system.path).toBe('from-env');
    expect(config.segment.sizeBytes).toBe(4 * KiB);
    expect(config.segment.cacheSizeBytes).toBe(16 * MiB);
    expect(config.topic.messageExpiryMs).toBe(1000);
  });

  it('accept null for unlimited, never and unset, and skip undefined', () => {
    const config = loadConfig({
      env: { IGGY_TOPIC_MAX_SIZE: '2 GiB', IGGY_LOGGING_FILE: 'x.log' },
      overrides: { topic: { sizeBytesMax: null, messageExpiryMs: null }, logging: { file: null, level: undefined } },
    });
    expect(config.topic.sizeBytesMax).toBeNull();
    expect(config.logging).toEqual({ level: 'info', file: null });
  });

  it('report unknown keys and wrong types by their camelCase path', () => {
    const overrides = { tcp: { adress: 'x', enabled: 'yes' }, segment: { sizeBytes: '1 GiB' }, system: 5 } as unknown as LoadConfigOptions['overrides'];
    expect(problemsOf({ overrides })).toEqual([
      'unknown key tcp.adress (did you mean tcp.address?) (from overrides)',
      'tcp.enabled = "yes" must be a boolean (true or false) (from overrides)',
      'segment.sizeBytes = "1 GiB" must be a whole number of bytes (from overrides)',
      'system = 5 must be an object (from overrides)',
    ]);
  });
});

describe('loadConfig range checks', () => {
  it('names the key, the value as written, the limit and the source', () => {
    const path = writeConfig('toml', '[segment]\nsize = "5 GiB"\n');
    expect(problemsOf({ path })).toEqual([`segment.size = "5 GiB" is above the maximum 4 GiB (in ${path})`]);
    expect(new ConfigError(problemsOf({ path })).message).toBe(`config: segment.size = "5 GiB" is above the maximum 4 GiB (in ${path})`);
  });

  it('checks minimum and maximum of sizes, durations and integers', () => {
    expect(
      problemsOf({
        env: {
          IGGY_SYSTEM_SHARDS: '5000',
          IGGY_SEGMENT_SIZE: '0',
          IGGY_LIMITS_CONTROL_PAYLOAD_SIZE_MAX: '100 B',
          IGGY_DURABILITY_FLUSH_INTERVAL: '30 d',
          IGGY_TOPIC_RETENTION_INTERVAL: '0',
          IGGY_LIMITS_PARTITIONS_PER_TOPIC_MAX: '0',
        },
      }),
    ).toEqual([
      'system.shards = "5000" is above the maximum 1024 (from IGGY_SYSTEM_SHARDS)',
      'segment.size = "0" is below the minimum 1 B (from IGGY_SEGMENT_SIZE)',
      'durability.flush_interval = "30 d" is above the maximum 24 d (from IGGY_DURABILITY_FLUSH_INTERVAL)',
      'limits.control_payload_size_max = "100 B" is below the minimum 1 KiB (from IGGY_LIMITS_CONTROL_PAYLOAD_SIZE_MAX)',
      'limits.partitions_per_topic_max = "0" is below the minimum 1 (from IGGY_LIMITS_PARTITIONS_PER_TOPIC_MAX)',
      'topic.retention.interval = "0" is below the minimum 1 ms (from IGGY_TOPIC_RETENTION_INTERVAL)',
    ]);
  });

  it('checks values set by overrides against the same limits', () => {
    expect(problemsOf({ overrides: { segment: { sizeBytes: 5 * GiB } } })).toEqual([
      'segment.sizeBytes = 5368709120 is above the maximum 4 GiB (from overrides)',
    ]);
  });

  it('rejects values outside an enumeration', () => {
    expect(problemsOf({ env: { IGGY_DURABILITY_MODE: 'always', IGGY_LOGGING_LEVEL: 'verbose' } })).toEqual([
      'durability.mode = "always" must be one of "buffered", "fsync" (from IGGY_DURABILITY_MODE)',
      'logging.level = "verbose" must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (from IGGY_LOGGING_LEVEL)',
    ]);
  });

  it('rejects addresses without a port, with a bad port, or with a bare IPv6 host', () => {
    const path = writeConfig(
      'toml',
      '[tcp]\naddress = "127.0.0.1"\n[quic]\naddress = "127.0.0.1:70000"\n[http]\naddress = "::1:3000"\n[websocket]\naddress = ":8092"\n',
    );
    const example = '(expected host:port, e.g. "127.0.0.1:8090" or "[::1]:8090")';
    expect(problemsOf({ path })).toEqual([
      `tcp.address = "127.0.0.1" has no port ${example} (in ${path})`,
      `quic.address = "127.0.0.1:70000" has an invalid port "70000" (0 to 65535) (in ${path})`,
      `http.address = "::1:3000" has an IPv6 host without brackets ${example} (in ${path})`,
      `websocket.address = ":8092" has no host ${example} (in ${path})`,
    ]);
  });

  it('checks string lengths and never echoes secrets', () => {
    expect(
      problemsOf({ env: { IGGY_SYSTEM_PATH: '', IGGY_ROOT_USERNAME: 'ab', IGGY_ROOT_PASSWORD: 'pw', IGGY_HTTP_JWT_SECRET: 'short' } }),
    ).toEqual([
      'system.path = "" must not be empty (from IGGY_SYSTEM_PATH)',
      'http.jwt.secret is shorter than 32 bytes (from IGGY_HTTP_JWT_SECRET)',
      'root.username = "ab" is shorter than 3 bytes (from IGGY_ROOT_USERNAME)',
      'root.password is shorter than 3 bytes (from IGGY_ROOT_PASSWORD)',
    ]);
  });
});

describe('loadConfig consistency checks', () => {
  it('requires certificate and key files for TLS that is not self-signed, and a CA for client auth', () => {
    expect(problemsOf({ env: { IGGY_TCP_TLS_ENABLED: 'true', IGGY_TCP_TLS_CLIENT_AUTH: 'true' } })).toEqual([
      'tcp.tls.cert_file is required when tcp.tls.enabled = true and tcp.tls.self_signed = false',
      'tcp.tls.key_file is required when tcp.tls.enabled = true and tcp.tls.self_signed = false',
      'tcp.tls.ca_file is required when tcp.tls.client_auth = true',
    ]);
    expect(loadConfig({ env: { IGGY_TCP_TLS_ENABLED: 'true', IGGY_TCP_TLS_SELF_SIGNED: 'true' } }).tcp.tls.enabled).toBe(true);
  });

  it('ignores the TLS settings of a disabled transport', () => {
    expect(loadConfig({ env: { IGGY_HTTP_TLS_ENABLED: 'true' } }).http.tls.enabled).toBe(true);
    expect(problemsOf({ env: { IGGY_HTTP_ENABLED: 'true', IGGY_HTTP_TLS_ENABLED: 'true', IGGY_HTTP_TLS_CERT_FILE: 'c.pem' } })).toEqual([
      'http.tls.key_file is required when http.tls.enabled = true and http.tls.self_signed = false',
    ]);
  });

  it('requires QUIC certificates unless self-signed', () => {
    expect(problemsOf({ env: { IGGY_QUIC_ENABLED: 'true', IGGY_QUIC_SELF_SIGNED: 'false', IGGY_QUIC_KEY_FILE: 'k.pem' } })).toEqual([
      'quic.cert_file is required when quic.enabled = true and quic.self_signed = false',
    ]);
  });

  it('rejects two enabled listeners on the same port', () => {
    expect(problemsOf({ overrides: { http: { enabled: true, address: '0.0.0.0:8090' } } })).toEqual([
      'tcp.address = "127.0.0.1:8090" and http.address = "0.0.0.0:8090" use the same port',
    ]);
    expect(loadConfig({ env: {}, overrides: { tcp: { address: '127.0.0.1:0' }, websocket: { enabled: true, address: '127.0.0.1:0' } } }).websocket.enabled).toBe(true);
  });

  it('requires root username and password together', () => {
    expect(problemsOf({ env: { IGGY_ROOT_USERNAME: 'admin' } })).toEqual([
      'root.username and root.password must be set together (IGGY_ROOT_USERNAME and IGGY_ROOT_PASSWORD)',
    ]);
  });

  it('requires a valid key when encryption is enabled', () => {
    expect(problemsOf({ env: { IGGY_ENCRYPTION_ENABLED: 'true' } })).toEqual([
      'encryption.key is required when encryption.enabled = true (base64 of a 32-byte key)',
    ]);
    expect(problemsOf({ env: { IGGY_ENCRYPTION_ENABLED: 'true', IGGY_ENCRYPTION_KEY: 'c2hvcnQ=' } })).toEqual([
      'encryption.key is not the base64 of a 32-byte key (44 characters ending in "=")',
    ]);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ env: { IGGY_ENCRYPTION_ENABLED: 'true', IGGY_ENCRYPTION_KEY: key } }).encryption.key).toBe(key);
  });

  it('requires a topic maximum size of at least one segment', () => {
    expect(problemsOf({ env: { IGGY_TOPIC_MAX_SIZE: '512 MiB' } })).toEqual([
      'topic.max_size = "512 MiB" is below segment.size = "1 GiB"; a topic must hold at least one segment',
    ]);
    expect(loadConfig({ env: { IGGY_TOPIC_MAX_SIZE: '512 MiB', IGGY_SEGMENT_SIZE: '512 MiB' } }).topic.sizeBytesMax).toBe(512 * MiB);
  });
});
