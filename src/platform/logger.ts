/**
 * The operational logger: the only module that touches winston or the console.
 * JSON lines in production, one readable line per event in development.
 * Values under secret-looking keys are replaced before anything is written, so
 * a careless `logger.info('x', { password })` cannot leak.
 *
 * The audit log is a different channel (src/audit), never this one.
 */
import winston from 'winston';
import { currentContext } from './request-context';

// Matched against the key with `_` and `-` removed, in any case.
const SECRET_KEY =
  /pass(word|phrase)?|secret|token|otp|authorization|cookie|credential|privatekey|apikey|signature|recovery|code$/i;
// Keys that look like a secret word but name something that is not a secret.
const NOT_SECRET = /^(error_?code|status_?code|exit_?code|.*accessor|.*_?ttl)$/i;

/** The placeholder written instead of a redacted value. */
export const REDACTED = '[redacted]';

/** Whether a field name looks like it carries a secret. */
export function isSecretKey(key: string): boolean {
  return !NOT_SECRET.test(key) && SECRET_KEY.test(key.replace(/[_-]/g, ''));
}

/** A deep copy of `value` with secret-looking fields replaced by REDACTED. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSecretKey(key) ? REDACTED : redact(inner, depth + 1);
  }
  return copy;
}

const redaction = winston.format((info) => {
  const context = currentContext();
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = isSecretKey(key) ? REDACTED : redact(info[key]);
  }
  if (context && info.request_id === undefined) info.request_id = context.requestId;
  return info;
});

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info;
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${String(timestamp)} ${level} ${String(message)}${rest}`;
});

/** The shared logger. configureLogger() sets its level and format at start. */
export const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(redaction(), winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
});

/** Applies the configured level and output format (JSON unless development). */
export function configureLogger(options: { level: string; json: boolean; silent?: boolean }) {
  logger.level = options.level;
  logger.format = winston.format.combine(
    redaction(),
    winston.format.timestamp(),
    options.json
      ? winston.format.json()
      : winston.format.combine(winston.format.colorize(), readable),
  );
  for (const transport of logger.transports) transport.silent = options.silent ?? false;
}

/** Prints a line to standard output for people (start banner), not a log event. */
export function announce(line: string) {
  process.stdout.write(`${line}\n`);
}
