/**
 * One HTTP exchange with Node's built-in fetch, with failures turned into
 * CliErrors: unreachable or slow servers and 5xx answers exit 1, 4xx answers
 * exit 3, each with the server's own error code and message.
 */
import { CliError, EXIT, failure, refusal, usageError } from './exit-codes';

/** How long one call may take before the CLI gives up. */
const CALL_TIMEOUT_MS = 30_000;

/** Checks a broker or Vault address and returns it without a trailing slash. */
export function parseServerUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError('cli.bad_url', `${what} address is not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError('cli.bad_url', `${what} address must start with http:// or https://: ${text}`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Sends a request; resolves with any answer, rejects only when no answer came. */
export async function send(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  } catch (error) {
    const origin = new URL(url).origin;
    if ((error as Error).name === 'TimeoutError') {
      throw failure('cli.timeout', `${what} at ${origin} did not answer in time`);
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw failure('cli.unreachable', `cannot reach ${what} at ${origin} (${reason})`);
  }
}

/**
 * The error an unsuccessful answer stands for. The broker answers
 * `{"error": {"code", "message"}}`; Vault answers `{"errors": [...]}`.
 */
export async function errorFromAnswer(answer: Response, what: string): Promise<CliError> {
  const body = (await answer.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
    errors?: string[];
  } | null;
  const code = body?.error?.code ?? `http.${answer.status}`;
  const message =
    body?.error?.message ?? body?.errors?.join('; ') ?? `${what} answered ${answer.status}`;
  return answer.status >= 400 && answer.status < 500
    ? refusal(code, message)
    : new CliError(EXIT.error, code, message);
}

/** Reads a successful JSON answer; an empty one (204) reads as an empty object. */
export async function jsonOf<T>(answer: Response, what: string): Promise<T> {
  if (answer.status === 204) return {} as T;
  const text = await answer.text();
  if (!text) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw failure('cli.bad_answer', `${what} answered ${answer.status} with something not JSON`);
  }
}
