/**
 * Captures what the operational logger writes, after redaction and
 * formatting, so tests can assert that no secret ever reaches the log.
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import { logger } from '../../src/platform/logger';

/** Starts capturing; returns the captured lines and a function to stop. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const transport = new winston.transports.Stream({ stream, level: 'debug' });
  const previousLevel = logger.level;
  logger.level = 'debug';
  logger.add(transport);
  return {
    lines,
    text: () => lines.join(''),
    stop: () => {
      logger.remove(transport);
      logger.level = previousLevel;
    },
  };
}
