/**
 * A one-to-many index of ids kept beside the stand-in's maps (a parent
 * token's children, a token's leases), so finding what belongs to an id
 * costs O(1) instead of a scan of every token or lease.
 */

/** Sets of ids by owner id; an owner with no ids left is dropped. */
export class IdIndex {
  private readonly sets = new Map<string, Set<string>>();

  /** Files `id` under `owner`. */
  add(owner: string, id: string): void {
    const ids = this.sets.get(owner);
    if (ids) ids.add(id);
    else this.sets.set(owner, new Set([id]));
  }

  /** Removes `id` from under `owner`, if it is there. */
  remove(owner: string, id: string): void {
    const ids = this.sets.get(owner);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) this.sets.delete(owner);
  }

  /** Removes and returns every id under `owner` (none when it has none). */
  take(owner: string): Iterable<string> {
    const ids = this.sets.get(owner);
    if (!ids) return [];
    this.sets.delete(owner);
    return ids;
  }
}
