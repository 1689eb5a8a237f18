import { describe, expect, it } from 'vitest';
import { idToUuidBytes, idToUuidString, uuidBytesToId, uuidStringToId, uuidV7, uuidV7TimeMs } from './uuid.js';

describe('uuid v7 message ids', () => {
  it('sets version 7, variant 10 and the time in ms', () => {
    const id = uuidV7(1_700_000_000_123);
    const text = idToUuidString(id);
    expect(text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV7TimeMs(id)).toBe(1_700_000_000_123);
  });

  it('reads the UUID bytes in string order as a little-endian u128, like the server', () => {
    const bytes = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
    const id = uuidBytesToId(bytes);
    expect(id).toBe(0x100f0e0d0c0b0a090807060504030201n);
    expect(idToUuidBytes(id)).toEqual(bytes);
    expect(idToUuidString(id)).toBe('01020304-0506-0708-090a-0b0c0d0e0f10');
    expect(uuidStringToId('01020304-0506-0708-090a-0b0c0d0e0f10')).toBe(id);
  });

  it('increases within one millisecond and across a clock step back', () => {
    const ids = [uuidV7(5000), uuidV7(5000), uuidV7(5000), uuidV7(4000)].map((id) => idToUuidString(id));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });
});
