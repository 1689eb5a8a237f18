export * from './transports/transport.js';
export * from './transports/tcp.js';
