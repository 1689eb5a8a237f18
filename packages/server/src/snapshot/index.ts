/** GetSnapshot: diagnostic ZIP archives (snapshot.ts) and the ZIP writer behind them (zip.ts). */
export { createSnapshot, redactSecrets, snapshotMethod, snapshotTypes, SNAPSHOT_LIMITS, REDACTED, type SnapshotRequest, type SnapshotSources } from './snapshot.js';
export { createZipArchive, dosDateTime, type ZipEntry, type ZipMethod } from './zip.js';
