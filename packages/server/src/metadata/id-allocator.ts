/**
 * 0-based id allocation with slab semantics (reference 3.1): with nothing freed the next id is one
 * past the highest ever handed out; a freed id is reused LIFO (most recently freed first).
 * After a restart the allocator is rebuilt from the set of ids in use: gaps are reused lowest first
 * (the reference allows any order; clients never predict ids).
 */
import { assert } from './assert.js';

/** Ids travel as u32 on the wire. */
const ID_MAX = 0xffff_ffff;

export class IdAllocator {
  /** One past the highest id ever handed out. */
  private next = 0;
  /** Freed ids; the last element is reused first. */
  private readonly free: number[] = [];

  /** An allocator whose used ids are exactly `usedIds` (duplicates are a caller bug). */
  static fromUsed(usedIds: Iterable<number>): IdAllocator {
    const allocator = new IdAllocator();
    const used = new Set<number>();
    for (const id of usedIds) {
      assert(Number.isInteger(id) && id >= 0 && id <= ID_MAX, `invalid id ${id}`);
      assert(!used.has(id), `duplicate id ${id}`);
      used.add(id);
      if (id + 1 > allocator.next) allocator.next = id + 1;
    }
    // Descending push so the lowest gap is popped first.
    for (let id = allocator.next - 1; id >= 0; id--) {
      if (!used.has(id)) allocator.free.push(id);
    }
    return allocator;
  }

  allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    assert(this.next <= ID_MAX, 'id space exhausted');
    return this.next++;
  }

  /** Returns `id` for reuse; it must be in use. */
  release(id: number): void {
    assert(Number.isInteger(id) && id >= 0 && id < this.next, `releasing id ${id} never allocated`);
    assert(!this.free.includes(id), `releasing id ${id} twice`);
    this.free.push(id);
  }

  /** The id the next `allocate()` would return. */
  peek(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1]! : this.next;
  }
}
