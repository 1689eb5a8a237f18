export * from './hash.js';
export * from './message-layout.js';
export * from './errors.js';
