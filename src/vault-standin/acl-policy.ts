/**
 * Vault ACL policies for the stand-in: the small HCL subset the broker's
 * templates use (`path "<glob>" { capabilities = [...] }`) and Vault's rule
 * for which path rule applies when several match.
 * See https://developer.hashicorp.com/vault/docs/concepts/policies
 */

/** One `path` block of a policy. */
export interface PathRule {
  pattern: string;
  capabilities: string[];
}

/** Capabilities the stand-in knows, as Vault names them. */
const KNOWN = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny']);

/** Parses the HCL subset; throws with a short reason on anything else. */
export function parsePolicy(hcl: string): PathRule[] {
  const text = hcl.replace(/(^|\s)(#|\/\/).*$/gm, '$1');
  const rules: PathRule[] = [];
  const block = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
  let rest = text;
  for (const match of text.matchAll(block)) {
    const [whole, pattern, body] = match as unknown as [string, string, string];
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body);
    if (!caps) throw new Error(`path "${pattern}" has no capabilities`);
    const capabilities = [...caps[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    const unknown = capabilities.find((c) => !KNOWN.has(c));
    if (unknown) throw new Error(`unknown capability "${unknown}"`);
    rules.push({ pattern, capabilities });
    rest = rest.replace(whole, '');
  }
  if (rest.trim() !== '') throw new Error('failed to parse policy');
  return rules;
}

/** Whether a path glob (`+` one segment, trailing `*` any suffix) matches. */
export function globMatches(pattern: string, path: string): boolean {
  const prefix = pattern.endsWith('*');
  const body = prefix ? pattern.slice(0, -1) : pattern;
  const source = body
    .split('+')
    .map((part) => part.replace(/[.?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}${prefix ? '.*' : ''}$`).test(path);
}

// Vault's priority between matching rules, highest first: the first wildcard
// comes later; no trailing `*`; fewer `+`; longer; then lexically greater.
function morePrecise(a: string, b: string): number {
  const firstWildcard = (p: string) => {
    const i = p.search(/[+*]/);
    return i === -1 ? p.length : i;
  };
  if (firstWildcard(a) !== firstWildcard(b)) return firstWildcard(a) - firstWildcard(b);
  const star = (p: string) => (p.endsWith('*') ? 1 : 0);
  if (star(a) !== star(b)) return star(b) - star(a);
  const plus = (p: string) => p.split('+').length;
  if (plus(a) !== plus(b)) return plus(b) - plus(a);
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The capabilities a set of policies grants on `path`: rules with the same
 * pattern merge, the most precise matching pattern wins, `deny` beats all.
 */
export function capabilitiesFor(policies: PathRule[][], path: string): Set<string> {
  const matching = policies.flat().filter((rule) => globMatches(rule.pattern, path));
  if (matching.length === 0) return new Set();
  const best = matching.map((r) => r.pattern).reduce((a, b) => (morePrecise(a, b) >= 0 ? a : b));
  const caps = new Set(matching.filter((r) => r.pattern === best).flatMap((r) => r.capabilities));
  return caps.has('deny') ? new Set(['deny']) : caps;
}
