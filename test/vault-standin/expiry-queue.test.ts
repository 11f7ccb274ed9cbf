/**
 * The stand-in's expiry queue: it hands out entries earliest first, only
 * once they are due, and stays in order after stale entries are dropped.
 */
import { ExpiryQueue, type ExpiryEntry } from '../../src/vault-standin/expiry-queue';

// A fixed pseudo-random sequence, so a failure can be replayed.
function numbers(count: number, seed = 7): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 48271) % 2147483647;
    return x % 10_000;
  });
}

function drain(queue: ExpiryQueue<'token'>, now: number): number[] {
  const out: number[] = [];
  for (let e = queue.popDue(now); e; e = queue.popDue(now)) out.push(e.at);
  return out;
}

function filled(ats: number[]): ExpiryQueue<'token'> {
  const queue = new ExpiryQueue<'token'>();
  ats.forEach((at, i) => queue.push({ at, kind: 'token', id: String(i) }));
  return queue;
}

describe('expiry queue', () => {
  it('pops entries earliest first, duplicates included', () => {
    const ats = [...numbers(2000), 5, 5, 5];
    expect(drain(filled(ats), Infinity)).toEqual([...ats].sort((a, b) => a - b));
  });

  it('pops only the entries due at the given time', () => {
    const ats = numbers(500);
    const queue = filled(ats);
    const due = drain(queue, 4000);
    expect(due).toEqual(ats.filter((at) => at <= 4000).sort((a, b) => a - b));
    expect(queue.size).toBe(ats.filter((at) => at > 4000).length);
    expect(queue.popDue(4000)).toBeUndefined();
  });

  it('keeps only the entries retained, still earliest first', () => {
    const ats = numbers(1000, 11);
    const queue = filled(ats);
    const keep = (entry: ExpiryEntry<'token'>) => Number(entry.id) % 3 === 0;
    queue.retain(keep);
    const kept = ats.filter((_, i) => i % 3 === 0);
    expect(queue.size).toBe(kept.length);
    queue.push({ at: -1, kind: 'token', id: 'first' });
    expect(drain(queue, Infinity)).toEqual([-1, ...kept.sort((a, b) => a - b)]);
  });
});
