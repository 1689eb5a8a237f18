import { describe, expect, it } from 'vitest';
import { MetadataAssertionError } from './assert.js';
import { IdAllocator } from './id-allocator.js';

describe('IdAllocator', () => {
  it('hands out 0-based ids one past the highest when nothing was freed', () => {
    const ids = new IdAllocator();
    expect([ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([0, 1, 2]);
  });

  it('reuses the most recently freed id first (slab LIFO)', () => {
    const ids = new IdAllocator();
    ids.allocate();
    ids.allocate();
    ids.allocate();
    ids.release(0);
    ids.release(2);
    expect(ids.peek()).toBe(2);
    expect([ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([2, 0, 3]);
  });

  it('rebuilds from the used ids, filling gaps lowest first and then continuing past the highest', () => {
    const ids = IdAllocator.fromUsed([5, 1, 3]);
    expect([ids.allocate(), ids.allocate(), ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([0, 2, 4, 6, 7]);
  });

  it('starts at 0 when rebuilt from no ids', () => {
    expect(IdAllocator.fromUsed([]).allocate()).toBe(0);
  });

  it('rejects releasing an id twice or one never allocated', () => {
    const ids = new IdAllocator();
    ids.allocate();
    ids.release(0);
    expect(() => ids.release(0)).toThrow(MetadataAssertionError);
    expect(() => ids.release(7)).toThrow(MetadataAssertionError);
  });

  it('rejects duplicate used ids on rebuild', () => {
    expect(() => IdAllocator.fromUsed([1, 1])).toThrow(MetadataAssertionError);
  });
});
