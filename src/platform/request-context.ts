/**
 * Per-request context carried through async calls, so that every log line
 * written while serving a request names that request without passing it around.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What the broker knows about the request being served. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` as the current request context. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context of the request being served, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
