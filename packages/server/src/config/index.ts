// Public face of the server configuration: schema and defaults, loading, units, command line.

export { addressesOverlap, parseListenAddress, tryListenAddress, type ListenAddress } from './address.js';
export {
  ArgsError,
  DEFAULT_ROOT_PASSWORD,
  DEFAULT_ROOT_USERNAME,
  loadConfigFromArgs,
  parseServerArgs,
  withDefaultRootCredentials,
  type ServerArgs,
  type ServerRunArgs,
} from './args.js';
export { ConfigError } from './errors.js';
export { CONFIG_PATH_ENV, loadConfig, resolveConfigPath, type Environment, type LoadConfigOptions } from './load.js';
export {
  describeFieldType,
  extractConfigReference,
  renderConfigJson,
  renderConfigReference,
  renderConfigToml,
  toFileObject,
  writeGeneratedConfigFiles,
} from './render.js';
export * from './schema.js';
export * from './units.js';
