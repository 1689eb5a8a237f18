export * from './hash.js';
export * from './message-layout.js';
