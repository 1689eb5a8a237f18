/**
 * A strict minimal ZIP reader for tests of the snapshot archive (never used by the server): it finds
 * the end record, walks the central directory, checks that every local header agrees with its
 * central record, inflates the data and verifies the CRC-32 and sizes. Any disagreement throws.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { CentralDirectoryHeader, EndOfCentralDirectory, LocalFileHeader, ZIP_SIGNATURE, ZipMethodCode } from './zip.js';

export interface ReadZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  flags: number;
  modifiedTime: number;
  modifiedDate: number;
  externalAttributes: number;
  /** Uncompressed content (CRC already verified). */
  data: Buffer;
}

function fail(message: string): never {
  throw new Error(`invalid ZIP archive: ${message}`);
}

function need(archive: Buffer, at: number, size: number, what: string): void {
  if (at < 0 || at + size > archive.length) fail(`${what} at ${at} needs ${size} bytes, archive has ${archive.length}`);
}

/** Reads and verifies every entry, in central directory order. */
export function readZipArchive(archive: Buffer): ReadZipEntry[] {
  // The end record is the last 22 bytes plus a comment of at most 65,535 bytes.
  let end = -1;
  for (let at = archive.length - EndOfCentralDirectory.size; at >= Math.max(0, archive.length - EndOfCentralDirectory.size - 0xffff); at -= 1) {
    if (archive.readUInt32LE(at) === ZIP_SIGNATURE.endOfCentralDirectory) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('no end of central directory record');
  const commentLength = archive.readUInt16LE(end + EndOfCentralDirectory.commentLength);
  if (end + EndOfCentralDirectory.size + commentLength !== archive.length) fail('bytes after the end record');
  const entriesOnDisk = archive.readUInt16LE(end + EndOfCentralDirectory.entriesOnDisk);
  const entriesTotal = archive.readUInt16LE(end + EndOfCentralDirectory.entriesTotal);
  if (entriesOnDisk !== entriesTotal) fail('multi-disk archive');
  if (archive.readUInt16LE(end + EndOfCentralDirectory.diskNumber) !== 0) fail('multi-disk archive');
  const directorySize = archive.readUInt32LE(end + EndOfCentralDirectory.centralDirectorySize);
  const directoryOffset = archive.readUInt32LE(end + EndOfCentralDirectory.centralDirectoryOffset);
  if (directoryOffset + directorySize !== end) fail(`central directory ${directoryOffset}+${directorySize} does not end at the end record ${end}`);

  const entries: ReadZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < entriesTotal; i += 1) {
    need(archive, at, CentralDirectoryHeader.size, 'central directory record');
    if (archive.readUInt32LE(at) !== ZIP_SIGNATURE.centralDirectory) fail(`bad central directory signature at ${at}`);
    const nameLength = archive.readUInt16LE(at + CentralDirectoryHeader.nameLength);
    const extraLength = archive.readUInt16LE(at + CentralDirectoryHeader.extraLength);
    const commentLength = archive.readUInt16LE(at + CentralDirectoryHeader.commentLength);
    need(archive, at + CentralDirectoryHeader.size, nameLength + extraLength + commentLength, 'central directory name');
    const entry: ReadZipEntry = {
      name: archive.toString('utf8', at + CentralDirectoryHeader.size, at + CentralDirectoryHeader.size + nameLength),
      method: archive.readUInt16LE(at + CentralDirectoryHeader.method),
      crc32: archive.readUInt32LE(at + CentralDirectoryHeader.crc32),
      compressedSize: archive.readUInt32LE(at + CentralDirectoryHeader.compressedSize),
      uncompressedSize: archive.readUInt32LE(at + CentralDirectoryHeader.uncompressedSize),
      localHeaderOffset: archive.readUInt32LE(at + CentralDirectoryHeader.localHeaderOffset),
      flags: archive.readUInt16LE(at + CentralDirectoryHeader.flags),
      modifiedTime: archive.readUInt16LE(at + CentralDirectoryHeader.modifiedTime),
      modifiedDate: archive.readUInt16LE(at + CentralDirectoryHeader.modifiedDate),
      externalAttributes: archive.readUInt32LE(at + CentralDirectoryHeader.externalAttributes),
      data: Buffer.alloc(0),
    };
    at += CentralDirectoryHeader.size + nameLength + extraLength + commentLength;

    const local = entry.localHeaderOffset;
    need(archive, local, LocalFileHeader.size, 'local file header');
    if (archive.readUInt32LE(local) !== ZIP_SIGNATURE.localFile) fail(`bad local header signature for ${entry.name}`);
    const localNameLength = archive.readUInt16LE(local + LocalFileHeader.nameLength);
    const localExtraLength = archive.readUInt16LE(local + LocalFileHeader.extraLength);
    const localName = archive.toString('utf8', local + LocalFileHeader.size, local + LocalFileHeader.size + localNameLength);
    if (localName !== entry.name) fail(`local name ${localName} != central name ${entry.name}`);
    if (archive.readUInt16LE(local + LocalFileHeader.method) !== entry.method) fail(`method mismatch for ${entry.name}`);
    if (archive.readUInt16LE(local + LocalFileHeader.flags) !== entry.flags) fail(`flags mismatch for ${entry.name}`);
    if (archive.readUInt32LE(local + LocalFileHeader.crc32) !== entry.crc32) fail(`CRC mismatch between headers for ${entry.name}`);
    if (archive.readUInt32LE(local + LocalFileHeader.compressedSize) !== entry.compressedSize) fail(`compressed size mismatch for ${entry.name}`);
    if (archive.readUInt32LE(local + LocalFileHeader.uncompressedSize) !== entry.uncompressedSize) fail(`size mismatch for ${entry.name}`);
    const dataStart = local + LocalFileHeader.size + localNameLength + localExtraLength;
    need(archive, dataStart, entry.compressedSize, `data of ${entry.name}`);
    if (dataStart + entry.compressedSize > directoryOffset) fail(`data of ${entry.name} overlaps the central directory`);
    const raw = archive.subarray(dataStart, dataStart + entry.compressedSize);
    if (entry.method === ZipMethodCode.stored) {
      if (entry.compressedSize !== entry.uncompressedSize) fail(`stored entry ${entry.name} with different sizes`);
      entry.data = Buffer.from(raw);
    } else if (entry.method === ZipMethodCode.deflated) {
      entry.data = inflateRawSync(raw);
    } else {
      fail(`unsupported method ${entry.method} for ${entry.name}`);
    }
    if (entry.data.length !== entry.uncompressedSize) fail(`${entry.name} inflates to ${entry.data.length} bytes, header says ${entry.uncompressedSize}`);
    if (crc32(entry.data) !== entry.crc32) fail(`CRC-32 of ${entry.name} does not match its content`);
    entries.push(entry);
  }
  if (at !== end) fail('central directory size disagrees with its records');
  return entries;
}

/** Entries by name, content as UTF-8 text. */
export function zipTextEntries(archive: Buffer): Map<string, string> {
  return new Map(readZipArchive(archive).map((entry) => [entry.name, entry.data.toString('utf8')]));
}
