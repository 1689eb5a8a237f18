/**
 * Client-side payload encryption: the Producer seals each payload before it is batched and the
 * Consumer opens it before the application sees it, so the server stores and serves only
 * ciphertext. User headers, ids and offsets stay in clear (the server needs them); the checksum the
 * server computes covers the ciphertext.
 *
 *   sealed payload (AES-256-GCM, as Iggy's Rust SDK `Aes256GcmEncryptor`): [nonce:12][ciphertext:n][tag:16]
 *
 * The key stays inside the encryptor (a node:crypto KeyObject in a private field): it is never
 * logged, never part of an error message, and never shown by `util.inspect` or `JSON.stringify`.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';

/** Seals and opens message payloads. Implementations must be deterministic in format, not in output. */
export interface Encryptor {
  /** The sealed form of `payload`; throws IggyError CannotEncryptData (71) on failure. */
  encrypt(payload: Uint8Array): Buffer;
  /** The plaintext of a sealed payload; throws IggyError CannotDecryptData (72) when it cannot be opened (wrong key, tampered, truncated). */
  decrypt(sealed: Uint8Array): Buffer;
}

/** Nonce length in bytes (96 bits, the GCM standard). */
export const AES_GCM_NONCE_SIZE_BYTES = 12;
/** Authentication tag length in bytes. */
export const AES_GCM_TAG_SIZE_BYTES = 16;
/** Key length in bytes (AES-256). */
export const AES_GCM_KEY_SIZE_BYTES = 32;

const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * AES-256-GCM with a random 96-bit nonce per payload. Interoperable with the Rust SDK's
 * `Aes256GcmEncryptor` (same layout). A random nonce is safe for up to about 2^32 payloads per key;
 * rotate keys well before that.
 */
export class AesGcmEncryptor implements Encryptor {
  readonly #key: KeyObject;

  /**
   * @param key the 32-byte key, as standard base64 (e.g. `openssl rand -base64 32`) or as bytes.
   * Anything else throws IggyError InvalidEncryptionKey (70).
   */
  constructor(key: string | Uint8Array) {
    let bytes: Buffer;
    if (typeof key === 'string') {
      const trimmed = key.trim();
      if (!BASE64_PATTERN.test(trimmed)) throw new IggyError(ErrorCode.InvalidEncryptionKey, 'the encryption key must be standard base64');
      bytes = Buffer.from(trimmed, 'base64');
    } else {
      bytes = Buffer.from(key);
    }
    if (bytes.length !== AES_GCM_KEY_SIZE_BYTES) {
      bytes.fill(0);
      throw new IggyError(ErrorCode.InvalidEncryptionKey, `the encryption key must be ${AES_GCM_KEY_SIZE_BYTES} bytes, got ${bytes.length}`);
    }
    this.#key = createSecretKey(bytes);
    bytes.fill(0); // the KeyObject holds its own copy
  }

  /** A new random key as base64, for tests and key generation. */
  static generateKey(): string {
    return randomBytes(AES_GCM_KEY_SIZE_BYTES).toString('base64');
  }

  /** `[nonce:12][ciphertext][tag:16]`, one allocation. */
  encrypt(payload: Uint8Array): Buffer {
    try {
      const nonce = randomBytes(AES_GCM_NONCE_SIZE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
      const sealed = Buffer.allocUnsafe(AES_GCM_NONCE_SIZE_BYTES + payload.length + AES_GCM_TAG_SIZE_BYTES);
      nonce.copy(sealed, 0);
      let at = AES_GCM_NONCE_SIZE_BYTES;
      at += cipher.update(payload).copy(sealed, at);
      at += cipher.final().copy(sealed, at);
      cipher.getAuthTag().copy(sealed, at);
      return sealed;
    } catch (error) {
      throw new IggyError(ErrorCode.CannotEncryptData, `cannot encrypt the payload: ${(error as Error).message}`);
    }
  }

  /** The plaintext; a wrong key, a changed byte or a short payload fails with CannotDecryptData (72). */
  decrypt(sealed: Uint8Array): Buffer {
    if (sealed.length < AES_GCM_NONCE_SIZE_BYTES + AES_GCM_TAG_SIZE_BYTES) {
      throw new IggyError(ErrorCode.CannotDecryptData, `cannot decrypt the payload: ${sealed.length} bytes is shorter than nonce and tag (${AES_GCM_NONCE_SIZE_BYTES + AES_GCM_TAG_SIZE_BYTES} bytes)`);
    }
    const tagAt = sealed.length - AES_GCM_TAG_SIZE_BYTES;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, AES_GCM_NONCE_SIZE_BYTES));
      decipher.setAuthTag(sealed.subarray(tagAt));
      const plaintext = Buffer.allocUnsafe(tagAt - AES_GCM_NONCE_SIZE_BYTES);
      let at = decipher.update(sealed.subarray(AES_GCM_NONCE_SIZE_BYTES, tagAt)).copy(plaintext, 0);
      at += decipher.final().copy(plaintext, at);
      return at === plaintext.length ? plaintext : plaintext.subarray(0, at);
    } catch {
      // The cause says no more than "unable to authenticate data"; it never includes the key.
      throw new IggyError(ErrorCode.CannotDecryptData, 'cannot decrypt the payload: wrong key, or the data was changed');
    }
  }

  /** Never the key. */
  toJSON(): { algorithm: string } {
    return { algorithm: 'aes-256-gcm' };
  }

  /** Never the key. */
  [inspect.custom](): string {
    return 'AesGcmEncryptor { algorithm: aes-256-gcm }';
  }
}
