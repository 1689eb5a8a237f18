import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordSync, verifyPassword, verifyPasswordSync } from './passwords.js';

describe('passwords', () => {
  it('writes a self-describing scrypt hash with N=16384, r=8, p=1 and a 16-byte salt', async () => {
    const encoded = await hashPassword('secret');
    const parts = encoded.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(encoded).not.toContain('secret');
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const encoded = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', encoded)).toBe(true);
    expect(await verifyPassword('correct horsE', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('salts every hash, so equal passwords hash differently', async () => {
    const params = { N: 1024, r: 8, p: 1 };
    expect(await hashPassword('same', params)).not.toBe(await hashPassword('same', params));
  });

  it('verifies with the parameters stored in the hash, whatever the current default', async () => {
    const cheap = hashPasswordSync('pw1', { N: 1024, r: 4, p: 2 });
    expect(cheap.startsWith('scrypt$1024$4$2$')).toBe(true);
    expect(await verifyPassword('pw1', cheap)).toBe(true);
    expect(verifyPasswordSync('pw1', cheap)).toBe(true);
    expect(verifyPasswordSync('pw2', cheap)).toBe(false);
  });

  it('refuses to verify against a string that is not one of its hashes', async () => {
    await expect(verifyPassword('x', 'plain-text')).rejects.toThrow('malformed password hash');
    expect(() => verifyPasswordSync('x', 'scrypt$0$8$1$AA==$AA==')).toThrow('malformed password hash');
  });
});
