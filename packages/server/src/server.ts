/**
 * The server as a library: `IggyServer.start(options)` loads the configuration, opens the metadata,
 * starts the shard workers, reopens every partition (running recovery) and starts the listeners;
 * `stop()` closes the listeners, flushes every shard and ends the workers. Tests and embedders start
 * it in-process; the `iggy-server` binary is a thin wrapper around it.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { initHashes } from '@iggy-ts/protocol';
import { checkEncryptionKey, parseEncryptionKey } from '@iggy-ts/storage';
import { loadConfig, parseListenAddress, type ServerConfig, type ServerConfigOverrides } from './config/index.js';
import { childLogger, createLogger } from './logging.js';
import { Metadata } from './metadata/metadata.js';
import { U64_MAX } from './metadata/model.js';
import { ShardPool } from './shards/shard-pool.js';
import type { ServerState } from './router/context.js';
import { PartitionStatsTable } from './router/partition-stats.js';
import { TopicTrafficTable } from './router/topic-traffic.js';
import { openPartitions } from './router/partition-ops.js';
import { Router } from './router/router.js';
import { SessionRegistry } from './router/sessions.js';
import { TcpListener } from './router/tcp-listener.js';
import { startMaintenance, type Maintenance } from './maintenance.js';
import { startExtraListeners, stopExtraListeners, type ExtraListeners } from './transports/index.js';
import { nodeTlsServerOptions } from './transports/tls.js';

export interface StartOptions {
  /** A complete configuration; when absent it is loaded from file/env like the binary does. */
  config?: ServerConfig;
  /** Path of a TOML/JSON config file (else IGGY_CONFIG_PATH, else defaults). */
  configPath?: string;
  /** Overrides applied on top of file and environment (tests: ports 0, temp data dirs, silent logs). */
  overrides?: ServerConfigOverrides;
  /** Environment to read IGGY_* variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Delete the data directory before starting. */
  fresh?: boolean;
  /** Logger to use instead of creating one from the config. */
  logger?: Logger;
  /** Where a generated root password is announced (default: stdout). */
  announce?: (line: string) => void;
}

export interface ServerAddresses {
  tcp?: { host: string; port: number };
  http?: { port: number };
  websocket?: { port: number };
  quic?: { port: number };
}

const ROOT_PASSWORD_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random root password of 20..39 alphanumeric characters, as Iggy 0.8 generates. */
function generateRootPassword(): string {
  const length = randomInt(20, 40);
  let password = '';
  for (let i = 0; i < length; i += 1) password += ROOT_PASSWORD_CHARACTERS[randomInt(ROOT_PASSWORD_CHARACTERS.length)];
  return password;
}

function toMicros(ms: number | null): bigint {
  return ms === null ? U64_MAX : BigInt(ms) * 1000n;
}

export class IggyServer {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: ServerConfig,
    readonly state: ServerState,
    readonly router: Router,
    private readonly tcp: TcpListener | undefined,
    readonly addresses: ServerAddresses,
    private readonly maintenance: Maintenance,
    private readonly extraListeners: ExtraListeners,
    private readonly logger: Logger,
  ) {}

  static async start(options: StartOptions = {}): Promise<IggyServer> {
    const config = options.config ?? loadConfig({ path: options.configPath, env: options.env ?? process.env, overrides: options.overrides });
    const logger = options.logger ?? createLogger({ level: config.logging.level, file: config.logging.file ?? undefined });
    const log = childLogger(logger, 'server');
    // TLS material first: an unreadable certificate fails the start before anything is opened.
    const tcpTls = config.tcp.enabled && config.tcp.tls.enabled ? nodeTlsServerOptions(config.tcp.tls, 'tcp') : undefined;
    const dataPath = path.resolve(config.system.path);
    if (options.fresh) rmSync(dataPath, { recursive: true, force: true });
    mkdirSync(dataPath, { recursive: true });
    await initHashes();
    // Encryption at rest: the key (or its absence) must fit the data before anything reads it.
    const encryptionKey = config.encryption.enabled ? config.encryption.key : null;
    const keyCheck = checkEncryptionKey({ dataPath, key: encryptionKey === null ? undefined : parseEncryptionKey(encryptionKey), messagesPath: path.join(dataPath, 'streams') });
    if (keyCheck !== 'disabled') log.info({ keyCheck }, 'encryption at rest enabled');

    const firstStart = !existsSync(path.join(dataPath, 'metadata', 'state.bin'));
    const rootUsername = config.root.username ?? 'iggy';
    let rootPassword = config.root.password;
    let generatedPassword = false;
    if (rootPassword === null) {
      rootPassword = generateRootPassword();
      generatedPassword = firstStart;
    }
    const metadata = await Metadata.open({
      dataPath,
      rootUsername,
      rootPassword,
      defaults: {
        messageExpiryUs: toMicros(config.topic.messageExpiryMs),
        maxTopicSizeBytes: config.topic.sizeBytesMax === null ? U64_MAX : BigInt(config.topic.sizeBytesMax),
        segmentSizeBytes: BigInt(config.segment.sizeBytes),
      },
      maxTokensPerUser: config.personalAccessToken.tokenCountPerUserMax,
    });
    if (generatedPassword) {
      const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
      announce(`Root user created: username "${rootUsername}", password "${rootPassword}" (shown once; set IGGY_ROOT_PASSWORD to choose it)`);
    }

    const shardsCount = config.system.shardCount > 0 ? config.system.shardCount : Math.max(1, os.availableParallelism());
    const shards = await ShardPool.start(
      shardsCount,
      {
        dataPath,
        segmentSizeBytes: config.segment.sizeBytes,
        cacheSizeBytes: config.segment.cacheSizeBytes,
        durabilityMode: config.durability.mode,
        flushMessagesCount: config.durability.saveThresholdMessageCount,
        flushSizeBytes: config.durability.saveThresholdSizeBytes,
        flushIntervalMs: config.durability.flushIntervalMs,
        enforceFsyncOnInterval: config.durability.enforceFsyncOnInterval,
        verifyChecksumsOnRead: config.segment.verifyChecksumsOnRead,
        directIo: config.segment.directIo,
        validateChecksumsOnOpen: config.segment.validateChecksumsOnStart,
        pollResponseSizeBytesMax: config.limits.pollResponseSizeBytesMax,
        dedup: {
          enabled: config.system.messageDeduplication.enabled,
          maxEntries: config.system.messageDeduplication.entryCountMax,
          expiryMs: config.system.messageDeduplication.expiryMs,
        },
        logLevel: logger.level,
        logFile: config.logging.file,
        encryptionKey,
      },
      childLogger(logger, 'shards'),
    );

    const tcpAddress = parseListenAddress(config.tcp.address);
    const boundPorts = { tcp: tcpAddress.port, quic: parseListenAddress(config.quic.address).port, http: parseListenAddress(config.http.address).port, websocket: parseListenAddress(config.websocket.address).port };
    const state: ServerState = {
      config: { ...config, system: { ...config.system, path: dataPath } },
      metadata,
      shards,
      sessions: new SessionRegistry(),
      stats: new PartitionStatsTable(),
      logger: childLogger(logger, 'router'),
      startedAtUs: Date.now() * 1000,
      boundPorts,
      host: tcpAddress.host,
      counters: { readBytes: 0, writtenBytes: 0, messagesSent: 0, messagesPolled: 0 },
      topicTraffic: new TopicTrafficTable(),
    };

    try {
      const started = Date.now();
      let partitionsCount = 0;
      for (const stream of metadata.getStreams()) {
        for (const topic of stream.topics.values()) {
          await openPartitions(state, topic, topic.partitions.map((partition) => partition.id));
          partitionsCount += topic.partitions.length;
        }
      }
      log.info({ partitionsCount, shardsCount, ms: Date.now() - started }, 'partitions opened');
    } catch (error) {
      await shards.stop().catch(() => {});
      throw error;
    }

    const router = new Router(state);
    const addresses: ServerAddresses = {};
    let tcp: TcpListener | undefined;
    if (config.tcp.enabled) {
      tcp = new TcpListener(
        router,
        {
          host: tcpAddress.host,
          port: tcpAddress.port,
          noDelay: config.tcp.socket.noDelay,
          ...(tcpTls === undefined ? {} : { tls: tcpTls }),
          controlPayloadSizeBytesMax: config.limits.controlPayloadSizeBytesMax,
          sendMessagesPayloadSizeBytesMax: config.limits.sendMessagesPayloadSizeBytesMax,
        },
        childLogger(logger, 'tcp'),
      );
      try {
        const bound = await tcp.start();
        addresses.tcp = { host: tcpAddress.host, port: bound.port };
        state.boundPorts.tcp = bound.port;
      } catch (error) {
        await shards.stop().catch(() => {});
        throw error;
      }
      log.info({ address: `${tcpAddress.host}:${addresses.tcp.port}` }, 'TCP listener started');
    }
    let extraListeners: ExtraListeners;
    try {
      extraListeners = await startExtraListeners(state, router, logger);
    } catch (error) {
      await tcp?.stop();
      await shards.stop().catch(() => {});
      throw error;
    }
    if (extraListeners.http) addresses.http = { port: extraListeners.http.port };
    if (extraListeners.websocket) addresses.websocket = { port: extraListeners.websocket.port };
    if (extraListeners.quic) addresses.quic = { port: extraListeners.quic.port };
    const maintenance = startMaintenance(state, childLogger(logger, 'maintenance'));
    log.info({ dataPath, shardsCount, durability: config.durability.mode }, 'iggy-ts server started');
    return new IggyServer(state.config, state, router, tcp, addresses, maintenance, extraListeners, log);
  }

  /** Closes listeners, flushes and closes every partition, ends the shard workers. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('stopping');
      this.maintenance.stop();
      await Promise.all([this.tcp?.stop(), stopExtraListeners(this.extraListeners)]);
      await this.state.shards.stop();
      this.logger.info('stopped');
    })();
    return this.stopping;
  }
}
