// The ZIP writer, checked by reading archives back with an independent strict reader (testing.ts:
// headers agree, data inflates, CRC-32 matches), against hand-written golden bytes, and with the
// system's `unzip -t` where it is installed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readZipArchive } from './testing.js';
import { createZipArchive, dosDateTime, ZipMethodCode } from './zip.js';

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const directory = mkdtempSync(path.join(tmpdir(), 'iggy-zip-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const FIXED_DATE = new Date(2024, 1, 29, 13, 45, 30); // local time, as MS-DOS dates are

const ENTRIES = [
  { name: 'test.txt', data: Buffer.from('test\n') },
  { name: 'empty.txt', data: Buffer.alloc(0) },
  { name: 'dir/nested/repeated.txt', data: Buffer.from('iggy '.repeat(10_000)) },
  { name: 'random.bin', data: randomBytes(4096) },
  { name: 'żółw-ünïcode.txt', data: Buffer.from('named in UTF-8') },
];

describe('ZIP writer', () => {
  it('writes stored entries that read back byte for byte with matching CRC-32', async () => {
    const archive = await createZipArchive(ENTRIES, 'stored', FIXED_DATE);
    const read = readZipArchive(archive);
    expect(read.map((entry) => entry.name)).toEqual(ENTRIES.map((entry) => entry.name));
    for (const [i, entry] of read.entries()) {
      expect(entry.method).toBe(ZipMethodCode.stored);
      expect(entry.data.equals(ENTRIES[i]!.data)).toBe(true);
      expect(entry.flags & 0x0800).toBe(0x0800);
    }
  });

  it('deflates compressible entries and stores the ones deflate cannot shrink', async () => {
    const archive = await createZipArchive(ENTRIES, 'deflated', FIXED_DATE);
    const read = new Map(readZipArchive(archive).map((entry) => [entry.name, entry]));
    const repeated = read.get('dir/nested/repeated.txt')!;
    expect(repeated.method).toBe(ZipMethodCode.deflated);
    expect(repeated.compressedSize).toBeLessThan(repeated.uncompressedSize / 20);
    expect(read.get('random.bin')!.method).toBe(ZipMethodCode.stored);
    expect(read.get('empty.txt')!.method).toBe(ZipMethodCode.stored);
    for (const entry of ENTRIES) expect(read.get(entry.name)!.data.equals(entry.data)).toBe(true);
    expect(archive.length).toBeLessThan((await createZipArchive(ENTRIES, 'stored', FIXED_DATE)).length);
  });

  it('matches golden bytes for one stored entry (CRC-32 check value of "123456789" is cbf43926)', async () => {
    const archive = await createZipArchive([{ name: 'check.txt', data: Buffer.from('123456789') }], 'stored', FIXED_DATE);
    // 2024-02-29 13:45:30 → time (13<<11)|(45<<5)|15 = 0x6daf, date (44<<9)|(2<<5)|29 = 0x585d
    const name = Buffer.from('check.txt').toString('hex');
    const expected = [
      // local file header
      '504b0304', '1400', '0008', '0000', 'af6d', '5d58', '2639f4cb', '09000000', '09000000', '0900', '0000', name,
      Buffer.from('123456789').toString('hex'),
      // central directory record
      '504b0102', '1403', '1400', '0008', '0000', 'af6d', '5d58', '2639f4cb', '09000000', '09000000', '0900', '0000', '0000', '0000', '0000', '0000a481', '00000000', name,
      // end of central directory: 1 entry, directory of 46 + 9 = 55 bytes at offset 30 + 9 + 9 = 48
      '504b0506', '0000', '0000', '0100', '0100', '37000000', '30000000', '0000',
    ].join('');
    expect(archive.toString('hex')).toBe(expected);
  });

  it('writes an empty archive as a lone end record', async () => {
    const archive = await createZipArchive([], 'deflated', FIXED_DATE);
    expect(archive.toString('hex')).toBe('504b0506' + '00'.repeat(18));
    expect(readZipArchive(archive)).toEqual([]);
  });

  it('encodes MS-DOS dates and clamps years before 1980', () => {
    expect(dosDateTime(FIXED_DATE)).toEqual({ time: 0x6daf, date: 0x585d });
    expect(dosDateTime(new Date(1970, 0, 1, 0, 0, 0)).date).toBe((0 << 9) | (1 << 5) | 1);
  });

  it('refuses duplicate and empty entry names', async () => {
    await expect(createZipArchive([{ name: 'a', data: Buffer.alloc(1) }, { name: 'a', data: Buffer.alloc(1) }], 'stored')).rejects.toThrow(/duplicate/);
    await expect(createZipArchive([{ name: '', data: Buffer.alloc(1) }], 'stored')).rejects.toThrow(/invalid/);
    await expect(createZipArchive([{ name: '/abs', data: Buffer.alloc(1) }], 'stored')).rejects.toThrow(/invalid/);
  });

  it('has a reader that notices a corrupted content byte', async () => {
    const archive = await createZipArchive([{ name: 'a.txt', data: Buffer.from('hello world') }], 'stored', FIXED_DATE);
    archive[30 + 'a.txt'.length] ^= 0xff;
    expect(() => readZipArchive(archive)).toThrow(/CRC-32/);
  });

  it.skipIf(!hasUnzip())('produces archives that unzip -t accepts, stored and deflated', async () => {
    for (const method of ['stored', 'deflated'] as const) {
      const file = path.join(directory, `archive-${method}.zip`);
      writeFileSync(file, await createZipArchive(ENTRIES, method));
      const output = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(output).toContain('No errors detected');
      const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
      expect(listing).toHaveLength(ENTRIES.length);
      expect(execFileSync('unzip', ['-p', file, 'dir/nested/repeated.txt']).equals(ENTRIES[2]!.data)).toBe(true);
    }
  });
});
