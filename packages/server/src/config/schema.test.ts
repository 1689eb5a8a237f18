import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS, CONFIG_SECTIONS, DEFAULT_SERVER_CONFIG, envVarName, getConfigValue } from './schema.js';
import { GiB, MiB } from './units.js';

function leafPaths(node: unknown, prefix = ''): string[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([name, child]) => leafPaths(child, prefix === '' ? name : `${prefix}.${name}`));
}

describe('config schema', () => {
  it('has exactly one field for every leaf of the default config', () => {
    const fieldPaths = CONFIG_FIELDS.map((field) => field.path);
    expect([...fieldPaths].sort()).toEqual(leafPaths(DEFAULT_SERVER_CONFIG).sort());
    expect(new Set(fieldPaths).size).toBe(fieldPaths.length);
  });

  it('gives every field a unique file key, a unique environment variable and a section', () => {
    const keys = CONFIG_FIELDS.map((field) => field.key);
    const envVars = CONFIG_FIELDS.map((field) => field.envVar);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(envVars).size).toBe(envVars.length);
    expect(envVars).not.toContain('IGGY_CONFIG_PATH');
    const sections = new Set(CONFIG_SECTIONS.map((section) => section.key));
    for (const field of CONFIG_FIELDS) {
      expect(sections.has(field.key.slice(0, field.key.lastIndexOf('.'))), field.key).toBe(true);
      expect(field.key).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
      expect(field.doc.length, field.key).toBeGreaterThan(0);
    }
  });

  it('names environment variables IGGY_<SECTION>_<KEY>', () => {
    expect(envVarName('tcp.address')).toBe('IGGY_TCP_ADDRESS');
    expect(envVarName('tcp.tls.enabled')).toBe('IGGY_TCP_TLS_ENABLED');
    expect(envVarName('segment.size')).toBe('IGGY_SEGMENT_SIZE');
    expect(envVarName('root.username')).toBe('IGGY_ROOT_USERNAME');
  });

  it('carries the Iggy 0.8 defaults', () => {
    const config = DEFAULT_SERVER_CONFIG;
    expect(config.system).toEqual({
      path: 'local_data',
      shardCount: 0,
      messageDeduplication: { enabled: false, entryCountMax: 10_000, expiryMs: 60_000 },
    });
    expect(config.tcp.enabled).toBe(true);
    expect(config.tcp.address).toBe('127.0.0.1:8090');
    expect(config.tcp.tls.enabled).toBe(false);
    expect(config.tcp.socket.noDelay).toBe(true);
    expect(config.quic).toMatchObject({ enabled: false, address: '127.0.0.1:8080' });
    expect(config.http).toMatchObject({ enabled: false, address: '127.0.0.1:3000', requestSizeBytesMax: 2_000_000 });
    expect(config.http.jwt.accessTokenExpiryMs).toBe(3_600_000);
    expect(config.websocket).toMatchObject({ enabled: false, address: '127.0.0.1:8092' });
    expect(config.segment).toEqual({
      sizeBytes: GiB,
      cacheSizeBytes: 16 * MiB,
      verifyChecksumsOnRead: true,
      directIo: true,
      validateChecksumsOnStart: false,
    });
    expect(config.durability).toEqual({
      mode: 'buffered',
      saveThresholdMessageCount: 1024,
      saveThresholdSizeBytes: MiB,
      flushIntervalMs: 30_000,
      enforceFsyncOnInterval: true,
    });
    expect(config.limits).toEqual({
      controlPayloadSizeBytesMax: 10 * MiB,
      sendMessagesPayloadSizeBytesMax: 64 * MiB,
      pollResponseSizeBytesMax: 64 * MiB,
      partitionCountPerTopicMax: 1000,
    });
    expect(config.topic).toEqual({ messageExpiryMs: null, sizeBytesMax: null, retention: { enabled: true, intervalMs: 60_000 } });
    expect(config.heartbeat).toEqual({ enabled: false, intervalMs: 5000 });
    expect(config.personalAccessToken).toEqual({ tokenCountPerUserMax: 100, cleaner: { enabled: true, intervalMs: 60_000 } });
    expect(config.encryption).toEqual({ enabled: false, key: '' });
    expect(config.logging).toEqual({ level: 'info', file: null });
    expect(config.root).toEqual({ username: null, password: null });
  });

  it('keeps every default inside its own allowed range', () => {
    for (const field of CONFIG_FIELDS) {
      const value = getConfigValue(DEFAULT_SERVER_CONFIG, field.path);
      const type = field.type;
      if ((type.kind === 'size' || type.kind === 'duration' || type.kind === 'integer') && value !== null) {
        expect(value as number, field.key).toBeGreaterThanOrEqual(type.min);
        expect(value as number, field.key).toBeLessThanOrEqual(type.max);
      }
      if (type.kind === 'enum') expect(type.values, field.key).toContain(value);
    }
  });

  it('freezes the defaults', () => {
    expect(Object.isFrozen(DEFAULT_SERVER_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SERVER_CONFIG.tcp.tls)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SERVER_CONFIG.http.cors.allowedOrigins)).toBe(true);
  });
});
