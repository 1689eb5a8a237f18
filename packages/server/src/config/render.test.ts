import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { extractConfigReference, renderConfigJson, renderConfigReference, renderConfigToml, toFileObject } from './render.js';
import { CONFIG_FIELDS, DEFAULT_SERVER_CONFIG } from './schema.js';

const repositoryRoot = new URL('../../../../', import.meta.url);
const repositoryFile = (path: string): string => new URL(path, repositoryRoot).pathname;
const regenerate = 'regenerate with writeGeneratedConfigFiles (see docs/configuration.md)';

describe('generated config files', () => {
  it('configs/server.toml loads to exactly the built-in defaults', () => {
    expect(loadConfig({ path: repositoryFile('configs/server.toml'), env: {} })).toEqual(DEFAULT_SERVER_CONFIG);
  });

  it('configs/server.json loads to exactly the built-in defaults', () => {
    expect(loadConfig({ path: repositoryFile('configs/server.json'), env: {} })).toEqual(DEFAULT_SERVER_CONFIG);
  });

  it('configs/server.toml and configs/server.json are the rendering of the schema', () => {
    expect(readFileSync(repositoryFile('configs/server.toml'), 'utf8'), regenerate).toBe(renderConfigToml());
    expect(readFileSync(repositoryFile('configs/server.json'), 'utf8'), regenerate).toBe(renderConfigJson());
  });

  it('configs/server.toml documents every key with its environment variable', () => {
    const toml = readFileSync(repositoryFile('configs/server.toml'), 'utf8');
    for (const field of CONFIG_FIELDS) {
      const name = field.key.slice(field.key.lastIndexOf('.') + 1);
      expect(toml, field.key).toMatch(new RegExp(`^(# )?${name} = `, 'm'));
      expect(toml, field.key).toContain(`[${field.envVar}]`);
    }
  });

  it('docs/configuration.md holds the generated reference of every key', () => {
    const docs = readFileSync(repositoryFile('docs/configuration.md'), 'utf8');
    expect(extractConfigReference(docs), regenerate).toBe(renderConfigReference().trim());
    for (const field of CONFIG_FIELDS) {
      expect(docs, field.key).toContain(`| \`${field.key}\` |`);
      expect(docs, field.key).toContain(`\`${field.envVar}\``);
    }
  });
});

describe('rendering a config', () => {
  it('round-trips a non-default config through TOML and JSON', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const config = loadConfig({
      env: {},
      overrides: {
        system: { path: 'data "quoted"', shardCount: 3 },
        tcp: { tls: { enabled: true, selfSigned: true, caFile: 'ca.pem' } },
        segment: { sizeBytes: 1536 },
        topic: { messageExpiryMs: 90_000, sizeBytesMax: 2_000_000 },
        http: { cors: { exposedHeaders: ['x-a', 'x-b'] } },
        root: { username: 'admin', password: 'secret' },
      },
    });
    const directory = mkdtempSync(join(tmpdir(), 'iggy-render-'));
    try {
      writeFileSync(join(directory, 'c.toml'), renderConfigToml(config));
      writeFileSync(join(directory, 'c.json'), renderConfigJson(config));
      expect(loadConfig({ path: join(directory, 'c.toml'), env: {} })).toEqual(config);
      expect(loadConfig({ path: join(directory, 'c.json'), env: {} })).toEqual(config);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('writes sizes and durations in human units', () => {
    const file = toFileObject(DEFAULT_SERVER_CONFIG) as { segment: { size: string }; durability: { flush_interval: string }; topic: { max_size: string } };
    expect(file.segment.size).toBe('1 GiB');
    expect(file.durability.flush_interval).toBe('30 s');
    expect(file.topic.max_size).toBe('unlimited');
  });
});
