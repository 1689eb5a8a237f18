/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3.x subset) for GetSnapshot: no ZIP64, no encryption, no
 * data descriptors. Each entry is written as a local file header, its (stored or raw-deflated) data,
 * then one central directory record per entry and the end-of-central-directory record. Names are
 * UTF-8 (general-purpose flag bit 11). CRC-32 comes from `zlib.crc32`.
 *
 * Limits (no ZIP64): at most 65,535 entries, every size and offset below 4 GiB; exceeding one throws.
 * A deflated entry that would not shrink is stored instead (the method is recorded per entry, so
 * readers handle both).
 */
import { crc32, deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';

const deflateRawAsync = promisify(deflateRaw);

/** How entry data is written: method 0 (stored) or 8 (deflated). */
export type ZipMethod = 'stored' | 'deflated';

export const ZipMethodCode = { stored: 0, deflated: 8 } as const;

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  readonly name: string;
  readonly data: Buffer;
}

/** Local file header: fixed 30 bytes, then the name. */
export const LocalFileHeader = {
  signature: 0, // u32 0x04034b50
  versionNeeded: 4, // u16
  flags: 6, // u16
  method: 8, // u16
  modifiedTime: 10, // u16 MS-DOS time
  modifiedDate: 12, // u16 MS-DOS date
  crc32: 14, // u32
  compressedSize: 18, // u32
  uncompressedSize: 22, // u32
  nameLength: 26, // u16
  extraLength: 28, // u16
  size: 30,
} as const;

/** Central directory record: fixed 46 bytes, then the name. */
export const CentralDirectoryHeader = {
  signature: 0, // u32 0x02014b50
  versionMadeBy: 4, // u16: host 3 (Unix) << 8 | 20
  versionNeeded: 6, // u16
  flags: 8, // u16
  method: 10, // u16
  modifiedTime: 12, // u16
  modifiedDate: 14, // u16
  crc32: 16, // u32
  compressedSize: 20, // u32
  uncompressedSize: 24, // u32
  nameLength: 28, // u16
  extraLength: 30, // u16
  commentLength: 32, // u16
  diskNumberStart: 34, // u16
  internalAttributes: 36, // u16
  externalAttributes: 38, // u32: Unix mode << 16
  localHeaderOffset: 42, // u32
  size: 46,
} as const;

/** End of central directory record: fixed 22 bytes (no comment). */
export const EndOfCentralDirectory = {
  signature: 0, // u32 0x06054b50
  diskNumber: 4, // u16
  centralDirectoryDisk: 6, // u16
  entriesOnDisk: 8, // u16
  entriesTotal: 10, // u16
  centralDirectorySize: 12, // u32
  centralDirectoryOffset: 16, // u32
  commentLength: 20, // u16
  size: 22,
} as const;

export const ZIP_SIGNATURE = { localFile: 0x04034b50, centralDirectory: 0x02014b50, endOfCentralDirectory: 0x06054b50 } as const;

const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // Unix host, so external attributes carry a mode
const FLAG_UTF8_NAMES = 0x0800;
const UNIX_FILE_MODE = 0o100644;
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;

/** MS-DOS date and time of `date` (local time, 2-second resolution, years 1980..2107). */
export function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

interface WrittenEntry {
  name: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
}

/**
 * Builds a complete archive in memory. `modifiedAt` stamps every entry (default: now).
 * Throws RangeError past the no-ZIP64 limits or on an empty or duplicate entry name.
 */
export async function createZipArchive(entries: readonly ZipEntry[], method: ZipMethod, modifiedAt: Date = new Date()): Promise<Buffer> {
  if (entries.length > U16_MAX) throw new RangeError(`a ZIP archive without ZIP64 holds at most ${U16_MAX} entries, got ${entries.length}`);
  const { time, date } = dosDateTime(modifiedAt);
  const chunks: Buffer[] = [];
  const written: WrittenEntry[] = [];
  const names = new Set<string>();
  let offset = 0;

  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/')) throw new RangeError(`invalid ZIP entry name "${entry.name}"`);
    if (names.has(entry.name)) throw new RangeError(`duplicate ZIP entry name "${entry.name}"`);
    names.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    if (name.length > U16_MAX) throw new RangeError(`ZIP entry name of ${name.length} bytes is too long`);
    if (entry.data.length >= U32_MAX) throw new RangeError(`ZIP entry "${entry.name}" of ${entry.data.length} bytes needs ZIP64`);
    const crc = crc32(entry.data);
    let data = entry.data;
    let methodCode: number = ZipMethodCode.stored;
    if (method === 'deflated') {
      const deflated = await deflateRawAsync(entry.data);
      if (deflated.length < entry.data.length) {
        data = deflated;
        methodCode = ZipMethodCode.deflated;
      }
    }
    if (offset + LocalFileHeader.size + name.length + data.length >= U32_MAX) throw new RangeError('ZIP archive would exceed 4 GiB (needs ZIP64)');

    const header = Buffer.alloc(LocalFileHeader.size);
    header.writeUInt32LE(ZIP_SIGNATURE.localFile, LocalFileHeader.signature);
    header.writeUInt16LE(VERSION_NEEDED, LocalFileHeader.versionNeeded);
    header.writeUInt16LE(FLAG_UTF8_NAMES, LocalFileHeader.flags);
    header.writeUInt16LE(methodCode, LocalFileHeader.method);
    header.writeUInt16LE(time, LocalFileHeader.modifiedTime);
    header.writeUInt16LE(date, LocalFileHeader.modifiedDate);
    header.writeUInt32LE(crc, LocalFileHeader.crc32);
    header.writeUInt32LE(data.length, LocalFileHeader.compressedSize);
    header.writeUInt32LE(entry.data.length, LocalFileHeader.uncompressedSize);
    header.writeUInt16LE(name.length, LocalFileHeader.nameLength);
    header.writeUInt16LE(0, LocalFileHeader.extraLength);
    chunks.push(header, name, data);
    written.push({ name, method: methodCode, crc, compressedSize: data.length, uncompressedSize: entry.data.length, offset });
    offset += LocalFileHeader.size + name.length + data.length;
  }

  const centralDirectoryOffset = offset;
  for (const entry of written) {
    const record = Buffer.alloc(CentralDirectoryHeader.size);
    record.writeUInt32LE(ZIP_SIGNATURE.centralDirectory, CentralDirectoryHeader.signature);
    record.writeUInt16LE(VERSION_MADE_BY, CentralDirectoryHeader.versionMadeBy);
    record.writeUInt16LE(VERSION_NEEDED, CentralDirectoryHeader.versionNeeded);
    record.writeUInt16LE(FLAG_UTF8_NAMES, CentralDirectoryHeader.flags);
    record.writeUInt16LE(entry.method, CentralDirectoryHeader.method);
    record.writeUInt16LE(time, CentralDirectoryHeader.modifiedTime);
    record.writeUInt16LE(date, CentralDirectoryHeader.modifiedDate);
    record.writeUInt32LE(entry.crc, CentralDirectoryHeader.crc32);
    record.writeUInt32LE(entry.compressedSize, CentralDirectoryHeader.compressedSize);
    record.writeUInt32LE(entry.uncompressedSize, CentralDirectoryHeader.uncompressedSize);
    record.writeUInt16LE(entry.name.length, CentralDirectoryHeader.nameLength);
    // extra, comment, disk number start and internal attributes stay 0
    record.writeUInt32LE((UNIX_FILE_MODE << 16) >>> 0, CentralDirectoryHeader.externalAttributes);
    record.writeUInt32LE(entry.offset, CentralDirectoryHeader.localHeaderOffset);
    chunks.push(record, entry.name);
    offset += CentralDirectoryHeader.size + entry.name.length;
  }
  const centralDirectorySize = offset - centralDirectoryOffset;
  if (offset >= U32_MAX) throw new RangeError('ZIP archive would exceed 4 GiB (needs ZIP64)');

  const end = Buffer.alloc(EndOfCentralDirectory.size);
  end.writeUInt32LE(ZIP_SIGNATURE.endOfCentralDirectory, EndOfCentralDirectory.signature);
  end.writeUInt16LE(written.length, EndOfCentralDirectory.entriesOnDisk);
  end.writeUInt16LE(written.length, EndOfCentralDirectory.entriesTotal);
  end.writeUInt32LE(centralDirectorySize, EndOfCentralDirectory.centralDirectorySize);
  end.writeUInt32LE(centralDirectoryOffset, EndOfCentralDirectory.centralDirectoryOffset);
  chunks.push(end);
  // One concatenation of a handful of chunks per snapshot: a cold path.
  return Buffer.concat(chunks, offset + EndOfCentralDirectory.size);
}
