/**
 * Consumer and consumer-group offsets of one partition, persisted like Iggy 0.8 (reference §8):
 *   {partition}/offsets/consumers/{consumer_id}   one u64 LE, the last stored offset
 *   {partition}/offsets/groups/{group_id}         one u64 LE
 * Loaded at open; every store is one 8-byte pwrite at position 0 through a file descriptor kept open
 * (at most `openFilesMax` of them, least recently used closed first), followed by fdatasync in fsync
 * mode; in buffered mode `sync()` (called by the log's flush(true)) makes them durable later. An 8-byte
 * write at position 0 lies inside one sector, so it is never torn.
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, unlinkSync, writeSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { assert } from './assert.js';
import type { StorageLogger } from './options.js';

export type ConsumerKind = 'consumer' | 'group';

const OFFSET_FILE_SIZE_BYTES = 8;
const ID_PATTERN = /^\d{1,10}$/;
const U32 = 0x1_0000_0000;

function directoryName(kind: ConsumerKind): string {
  return kind === 'consumer' ? 'consumers' : 'groups';
}

/** One number per (kind, id) for the descriptor LRU: consumers ≥ 0, groups < 0. */
function descriptorKey(kind: ConsumerKind, id: number): number {
  return kind === 'consumer' ? id : -1 - id;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new RangeError(`consumer id must be a u32, got ${id}`);
}

function fsyncDirectory(path: string): void {
  const fd = openSync(path, fsConstants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class ConsumerOffsetStore {
  private readonly offsets: Record<ConsumerKind, Map<number, number>> = { consumer: new Map(), group: new Map() };
  /** Open descriptors by descriptorKey, in least-recently-used-first order. */
  private readonly descriptors = new Map<number, number>();
  /** Buffered mode: offsets written since the last sync() (descriptor keys), and whether files were created or removed. */
  private readonly unsynced = new Set<number>();
  private directoriesUnsynced = false;
  private readonly scratch = Buffer.alloc(OFFSET_FILE_SIZE_BYTES);
  private readonly scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, OFFSET_FILE_SIZE_BYTES);

  private constructor(
    private readonly root: string,
    private readonly fsync: boolean,
    private readonly openFilesMax: number,
  ) {}

  /** Creates the directories when missing and loads every stored offset. Unreadable files are removed. */
  static open(partitionDirectory: string, fsync: boolean, openFilesMax: number, logger: StorageLogger | undefined): ConsumerOffsetStore {
    const store = new ConsumerOffsetStore(join(partitionDirectory, 'offsets'), fsync, openFilesMax);
    for (const kind of ['consumer', 'group'] as const) {
      const directory = store.directoryOf(kind);
      mkdirSync(directory, { recursive: true });
      for (const name of readdirSync(directory)) {
        const path = join(directory, name);
        const id = Number(name);
        if (!ID_PATTERN.test(name) || id > 0xffff_ffff) continue;
        const bytes = readFileSync(path);
        if (bytes.byteLength !== OFFSET_FILE_SIZE_BYTES) {
          // Created but never written (crash between create and the first pwrite): nothing was stored.
          logger?.warn({ path, sizeBytes: bytes.byteLength }, 'removing unreadable consumer offset file');
          unlinkSync(path);
          continue;
        }
        store.offsets[kind].set(id, bytes.readUInt32LE(0) + bytes.readUInt32LE(4) * U32);
      }
    }
    return store;
  }

  private directoryOf(kind: ConsumerKind): string {
    return join(this.root, directoryName(kind));
  }

  private pathOf(kind: ConsumerKind, id: number): string {
    return join(this.directoryOf(kind), String(id));
  }

  get(kind: ConsumerKind, id: number): number | undefined {
    return this.offsets[kind].get(id);
  }

  entries(kind: ConsumerKind): ReadonlyMap<number, number> {
    return this.offsets[kind];
  }

  /** Lowest offset stored by any consumer or group; undefined when none is stored. */
  lowest(): number | undefined {
    let lowest: number | undefined;
    for (const kind of ['consumer', 'group'] as const) {
      for (const offset of this.offsets[kind].values()) if (lowest === undefined || offset < lowest) lowest = offset;
    }
    return lowest;
  }

  store(kind: ConsumerKind, id: number, offset: number): void {
    checkId(id);
    assert(Number.isSafeInteger(offset) && offset >= 0, `consumer offset ${offset} is not a non-negative integer`);
    const fd = this.descriptorFor(kind, id);
    this.scratchView.setUint32(0, offset >>> 0, true);
    this.scratchView.setUint32(4, Math.floor(offset / U32), true);
    const written = writeSync(fd, this.scratch, 0, OFFSET_FILE_SIZE_BYTES, 0);
    assert(written === OFFSET_FILE_SIZE_BYTES, `short consumer offset write of ${written} bytes`);
    if (this.fsync) fdatasyncSync(fd);
    else this.unsynced.add(descriptorKey(kind, id));
    this.offsets[kind].set(id, offset);
  }

  delete(kind: ConsumerKind, id: number): boolean {
    if (!this.offsets[kind].delete(id)) return false;
    this.closeDescriptor(descriptorKey(kind, id));
    this.unsynced.delete(descriptorKey(kind, id));
    rmSync(this.pathOf(kind, id), { force: true });
    if (this.fsync) fsyncDirectory(this.directoryOf(kind));
    else this.directoriesUnsynced = true;
    return true;
  }

  /** Removes every stored offset and its file. */
  clear(): void {
    this.closeAll();
    this.unsynced.clear();
    for (const kind of ['consumer', 'group'] as const) {
      for (const id of this.offsets[kind].keys()) rmSync(this.pathOf(kind, id), { force: true });
      this.offsets[kind].clear();
      if (this.fsync) fsyncDirectory(this.directoryOf(kind));
    }
    if (!this.fsync) this.directoriesUnsynced = true;
  }

  /** Buffered mode: makes every offset stored since the last sync durable (fdatasync, directory fsync). */
  sync(): void {
    for (const key of this.unsynced) {
      const open = this.descriptors.get(key);
      if (open !== undefined) {
        fdatasyncSync(open);
        continue;
      }
      const kind: ConsumerKind = key >= 0 ? 'consumer' : 'group';
      const fd = openSync(this.pathOf(kind, key >= 0 ? key : -1 - key), fsConstants.O_RDONLY);
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.unsynced.clear();
    if (this.directoriesUnsynced) {
      fsyncDirectory(this.directoryOf('consumer'));
      fsyncDirectory(this.directoryOf('group'));
      this.directoriesUnsynced = false;
    }
  }

  closeAll(): void {
    for (const fd of this.descriptors.values()) closeSync(fd);
    this.descriptors.clear();
  }

  private descriptorFor(kind: ConsumerKind, id: number): number {
    const key = descriptorKey(kind, id);
    const open = this.descriptors.get(key);
    if (open !== undefined) {
      // Move to the most recently used end.
      this.descriptors.delete(key);
      this.descriptors.set(key, open);
      return open;
    }
    const isNew = !this.offsets[kind].has(id);
    const fd = openSync(this.pathOf(kind, id), fsConstants.O_WRONLY | fsConstants.O_CREAT, 0o644);
    if (isNew && this.fsync) fsyncDirectory(this.directoryOf(kind));
    else if (isNew) this.directoriesUnsynced = true;
    this.descriptors.set(key, fd);
    if (this.descriptors.size > this.openFilesMax) {
      const oldest = this.descriptors.keys().next().value as number;
      this.closeDescriptor(oldest);
    }
    return fd;
  }

  private closeDescriptor(key: number): void {
    const fd = this.descriptors.get(key);
    if (fd === undefined) return;
    this.descriptors.delete(key);
    closeSync(fd);
  }
}
