/**
 * The secrets engines mounted in each namespace, found by the longest mount
 * path that is a whole-segment prefix of a request path, as Vault routes.
 * Mounts are kept per namespace so a lookup tries only the prefixes of the
 * request path (one per `/` in it), never the other mounts.
 */
import type { Mount } from './standin-records';

/** Mount paths to engines, by namespace. */
export class MountTable {
  private readonly byNamespace = new Map<string, Map<string, Mount>>();

  /** Whether a mount exists at exactly `mountPath` in the namespace. */
  has(namespace: string, mountPath: string): boolean {
    return this.byNamespace.get(namespace)?.has(mountPath) ?? false;
  }

  /** Mounts an engine; the caller checks first that the path is free. */
  add(namespace: string, mountPath: string, mount: Mount): void {
    let mounts = this.byNamespace.get(namespace);
    if (!mounts) {
      mounts = new Map();
      this.byNamespace.set(namespace, mounts);
    }
    mounts.set(mountPath, mount);
  }

  /** The mount holding `path` in a namespace (longest matching prefix). */
  find(namespace: string, path: string): { mountPath: string; mount: Mount } | undefined {
    const mounts = this.byNamespace.get(namespace);
    if (!mounts) return undefined;
    // A mount at M holds P when P starts with `M/`: M is P cut before one of its slashes.
    for (let end = path.lastIndexOf('/'); end >= 0; end = path.lastIndexOf('/', end - 1)) {
      const mountPath = path.slice(0, end);
      const mount = mounts.get(mountPath);
      if (mount) return { mountPath, mount };
      if (end === 0) break;
    }
    return undefined;
  }
}
