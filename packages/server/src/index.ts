/** @iggy-ts/server: the iggy-ts server as a library (start it in-process with a config object). */
export { IggyServer, type ServerAddresses, type StartOptions } from './server.js';
export * from './config/index.js';
export { createLogger, childLogger } from './logging.js';
export { Router } from './router/router.js';
export { shardOf, type PartitionAddress } from './shards/protocol.js';
