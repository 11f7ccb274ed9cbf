// Tests read the log through captureLogs(); the console stays quiet.
import { configureLogger } from '../../src/platform/logger';

configureLogger({ level: 'info', json: true, silent: true });
