/**
 * AesGcmEncryptor: round trip, the sealed layout [nonce:12][ciphertext][tag:16] (checked against an
 * independent node:crypto implementation), failures as IggyError 70/72, and the key never showing.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AES_GCM_NONCE_SIZE_BYTES, AES_GCM_TAG_SIZE_BYTES, AesGcmEncryptor, ErrorCode, IggyError } from '@iggy-ts/sdk';

const KEY = Buffer.alloc(32, 7).toString('base64');

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(IggyError);
    return (error as IggyError).code;
  }
  return undefined;
}

describe('AesGcmEncryptor', () => {
  it('round-trips payloads of any size, with a fresh nonce each time', () => {
    const encryptor = new AesGcmEncryptor(KEY);
    for (const size of [0, 1, 15, 16, 17, 1000, 100_000]) {
      const payload = Buffer.alloc(size, size % 251);
      const sealed = encryptor.encrypt(payload);
      expect(sealed.length).toBe(AES_GCM_NONCE_SIZE_BYTES + size + AES_GCM_TAG_SIZE_BYTES);
      expect(encryptor.decrypt(sealed).equals(payload)).toBe(true);
    }
    const a = encryptor.encrypt(Buffer.from('same'));
    const b = encryptor.encrypt(Buffer.from('same'));
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('writes [nonce:12][ciphertext][tag:16] as plain AES-256-GCM (Rust SDK layout)', () => {
    const key = Buffer.alloc(32, 7);
    const encryptor = new AesGcmEncryptor(key);
    const sealed = encryptor.encrypt(Buffer.from('interoperable'));
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const opened = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
    expect(opened.toString()).toBe('interoperable');

    const nonce = Buffer.alloc(12, 1);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const foreign = Buffer.concat([nonce, cipher.update('from elsewhere'), cipher.final(), cipher.getAuthTag()]);
    expect(encryptor.decrypt(foreign).toString()).toBe('from elsewhere');
  });

  it('fails with CannotDecryptData (72) for a wrong key, a changed byte or a short payload', () => {
    const sealed = new AesGcmEncryptor(KEY).encrypt(Buffer.from('secret'));
    expect(codeOf(() => new AesGcmEncryptor(AesGcmEncryptor.generateKey()).decrypt(sealed))).toBe(ErrorCode.CannotDecryptData);
    for (const at of [0, 12, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at]! ^= 1;
      expect(codeOf(() => new AesGcmEncryptor(KEY).decrypt(changed))).toBe(ErrorCode.CannotDecryptData);
    }
    expect(codeOf(() => new AesGcmEncryptor(KEY).decrypt(sealed.subarray(0, 27)))).toBe(ErrorCode.CannotDecryptData);
    expect(ErrorCode.CannotDecryptData).toBe(72);
  });

  it('refuses keys that are not 32 bytes of base64 with InvalidEncryptionKey (70)', () => {
    expect(codeOf(() => new AesGcmEncryptor(Buffer.alloc(16).toString('base64')))).toBe(ErrorCode.InvalidEncryptionKey);
    expect(codeOf(() => new AesGcmEncryptor('not base64 at all!'))).toBe(ErrorCode.InvalidEncryptionKey);
    expect(codeOf(() => new AesGcmEncryptor(Buffer.alloc(31)))).toBe(ErrorCode.InvalidEncryptionKey);
  });

  it('never shows the key: not in inspect, JSON or error messages', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const base64 = key.toString('base64');
    const encryptor = new AesGcmEncryptor(base64);
    const shown = [inspect(encryptor, { showHidden: true, depth: 10 }), JSON.stringify(encryptor), String(encryptor)].join('\n');
    expect(shown).not.toContain(base64);
    expect(shown).not.toContain(key.toString('hex'));
    expect(shown).not.toContain('0123456789abcdef');
    let message = '';
    try {
      new AesGcmEncryptor(AesGcmEncryptor.generateKey()).decrypt(encryptor.encrypt(Buffer.from('x')));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/cannot decrypt/);
    expect(message).not.toContain(base64);
    try {
      new AesGcmEncryptor(base64.slice(0, 20));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain(base64.slice(0, 20));
  });
});
