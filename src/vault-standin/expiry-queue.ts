/**
 * A min-heap of expiry times, so the stand-in finds what is due without
 * scanning everything it holds. Entries are never updated or removed in
 * place: a renewal pushes a new entry and a revocation leaves the old one,
 * and whoever pops an entry checks it against the object it names. That keeps
 * every operation O(log n); `retain` drops such stale entries in one O(n)
 * pass when they pile up.
 *
 * Written here rather than taken from npm: the stand-in needs only push, pop
 * while due and rebuild, and the stale-entry checks are its own either way,
 * so a runtime dependency for a development-only server would buy little.
 */

/** One scheduled end: the object of `kind` with `id` may expire at `at` (ms). */
export interface ExpiryEntry<K extends string> {
  readonly at: number;
  readonly kind: K;
  readonly id: string;
}

/** A binary min-heap of expiry entries ordered by `at`. */
export class ExpiryQueue<K extends string> {
  private heap: ExpiryEntry<K>[] = [];

  /** How many entries it holds, stale ones included. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds an entry in O(log n). */
  push(entry: ExpiryEntry<K>): void {
    this.heap.push(entry);
    this.siftUp(this.heap.length - 1);
  }

  /** Removes and returns the earliest entry if it is due at `now`, else undefined. */
  popDue(now: number): ExpiryEntry<K> | undefined {
    const top = this.heap[0];
    if (top === undefined || top.at > now) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Keeps only the entries `keep` accepts and restores heap order, in O(n). */
  retain(keep: (entry: ExpiryEntry<K>) => boolean): void {
    this.heap = this.heap.filter(keep);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    const half = heap.length >> 1;
    let i = index;
    while (i < half) {
      let child = 2 * i + 1;
      const right = child + 1;
      if (right < heap.length && heap[right]!.at < heap[child]!.at) child = right;
      if (heap[child]!.at >= entry.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = entry;
  }
}
