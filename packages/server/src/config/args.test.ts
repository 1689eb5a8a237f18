import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgsError, loadConfigFromArgs, parseServerArgs, withDefaultRootCredentials, type ServerRunArgs } from './args.js';
import { ConfigError } from './errors.js';

function run(argv: string[]): ServerRunArgs {
  const args = parseServerArgs(argv);
  if (args.action !== 'run') throw new Error(`expected a run, got ${args.action}`);
  return args;
}

describe('iggy-server command line', () => {
  it('runs with defaults when given no arguments', () => {
    expect(parseServerArgs([])).toEqual({ action: 'run', configPath: null, fresh: false, withDefaultRootCredentials: false, overrides: {} });
  });

  it('turns config options into overrides', () => {
    const args = run([
      '--config',
      'configs/server.toml',
      '--fresh',
      '--with-default-root-credentials',
      '--tcp-address',
      '0.0.0.0:9090',
      '--data-path=/tmp/iggy',
      '--shards',
      '4',
      '--durability',
      'fsync',
      '--log-level',
      'debug',
    ]);
    expect(args).toEqual({
      action: 'run',
      configPath: 'configs/server.toml',
      fresh: true,
      withDefaultRootCredentials: true,
      overrides: {
        tcp: { address: '0.0.0.0:9090' },
        system: { path: '/tmp/iggy', shardCount: 4 },
        durability: { mode: 'fsync' },
        logging: { level: 'debug' },
      },
    });
  });

  it('takes the last of a repeated option', () => {
    expect(run(['--shards', '1', '--shards', '2']).overrides).toEqual({ system: { shardCount: 2 } });
  });

  it('returns the help text listing every option with its environment variable', () => {
    const args = parseServerArgs(['--help']);
    expect(args.action).toBe('help');
    const text = args.action === 'help' ? args.text : '';
    for (const option of ['--config', '--with-default-root-credentials', '--fresh', '--tcp-address', '--data-path', '--shards', '--durability', '--log-level', '--help', '--version']) {
      expect(text).toContain(option);
    }
    for (const envVar of ['IGGY_CONFIG_PATH', 'IGGY_ROOT_USERNAME', 'IGGY_TCP_ADDRESS', 'IGGY_SYSTEM_PATH', 'IGGY_SYSTEM_SHARDS', 'IGGY_DURABILITY_MODE', 'IGGY_LOGGING_LEVEL']) {
      expect(text).toContain(envVar);
    }
    expect(parseServerArgs(['-h']).action).toBe('help');
  });

  it('returns the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(parseServerArgs(['--version'])).toEqual({ action: 'version', text: version });
  });

  it('rejects unknown options, stray arguments, missing values and invalid choices', () => {
    expect(() => parseServerArgs(['--bogus'])).toThrow(new ArgsError('Unknown argument: bogus'));
    expect(() => parseServerArgs(['serve'])).toThrow(ArgsError);
    expect(() => parseServerArgs(['--config'])).toThrow(/Not enough arguments following: config/);
    expect(() => parseServerArgs(['--durability', 'sometimes'])).toThrow(/Argument: durability, Given: "sometimes"/);
    expect(() => parseServerArgs(['--log-level', 'loud'])).toThrow(/Argument: log-level, Given: "loud"/);
    expect(() => parseServerArgs(['--shards', 'many'])).toThrow(new ArgsError('--shards = "many" must be a whole number (0 = one per CPU)'));
  });
});

describe('default root credentials', () => {
  it('fills whichever of IGGY_ROOT_USERNAME / IGGY_ROOT_PASSWORD is unset with iggy', () => {
    expect(withDefaultRootCredentials({})).toMatchObject({ IGGY_ROOT_USERNAME: 'iggy', IGGY_ROOT_PASSWORD: 'iggy' });
    expect(withDefaultRootCredentials({ IGGY_ROOT_USERNAME: 'admin' })).toMatchObject({ IGGY_ROOT_USERNAME: 'admin', IGGY_ROOT_PASSWORD: 'iggy' });
    expect(withDefaultRootCredentials({ IGGY_ROOT_USERNAME: 'a', IGGY_ROOT_PASSWORD: 'b', OTHER: 'x' })).toEqual({
      IGGY_ROOT_USERNAME: 'a',
      IGGY_ROOT_PASSWORD: 'b',
      OTHER: 'x',
    });
  });

  it('does not change the environment it is given', () => {
    const env = { PATH: '/bin' };
    withDefaultRootCredentials(env);
    expect(env).toEqual({ PATH: '/bin' });
  });
});

describe('loading the config a command line asks for', () => {
  it('applies the root-credential rule and lets options win over the environment', () => {
    const config = loadConfigFromArgs(run(['--with-default-root-credentials', '--tcp-address', '127.0.0.1:0']), {
      IGGY_TCP_ADDRESS: '127.0.0.1:1234',
    });
    expect(config.root).toEqual({ username: 'iggy', password: 'iggy' });
    expect(config.tcp.address).toBe('127.0.0.1:0');
  });

  it('reports an invalid option value as a config problem', () => {
    expect(() => loadConfigFromArgs(run(['--tcp-address', 'localhost']), {})).toThrow(ConfigError);
    expect(() => loadConfigFromArgs(run(['--shards', '5000']), {})).toThrow('config: system.shardCount = 5000 is above the maximum 1024 (from overrides)');
  });
});
