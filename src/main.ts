/**
 * The broker process: read the configuration, start, and stop gracefully on
 * SIGTERM or SIGINT (exit 0), or exit 1 with a clear message when it cannot.
 */
import { ConfigError, loadConfig } from './platform/config';
import { announce, configureLogger, logger } from './platform/logger';
import { startBroker } from './server';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  configureLogger({ level: config.logLevel, json: config.env === 'production' });

  const broker = await startBroker(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    try {
      await broker.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error('stop failed', { error });
      process.exit(1);
    }
  };
  // The embedded PostgreSQL package installs its own signal hooks that stop
  // the database at once and exit; the broker's stop closes it last, after
  // requests and jobs have drained, so it owns these signals alone.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // Announce only once the signal handlers are in place: whoever waits for
  // this line may stop the broker right after reading it.
  logger.info('broker listening', { url: broker.url, env: config.env });
  announce(`JIT access broker listening on ${broker.url}`);
  if (config.env !== 'production') announce(`  ready check: ${broker.url}/readyz`);
}

main().catch((error: unknown) => {
  logger.error('start failed', { error });
  process.exit(1);
});
