/**
 * A worker thread checking one seq range of a tenant's chain (see
 * segment-scan.ts), over a connection of its own. It imports only what the
 * check needs, so a thread starts in milliseconds.
 */
import knex from 'knex';
import { parentPort, workerData } from 'node:worker_threads';
import '../platform/pg-types';
import { eventBatches } from './event-batches';
import { scanSegment, segmentBounds, type SegmentTask } from './segment-scan';

const { connection, task } = workerData as { connection: unknown; task: SegmentTask };

async function main() {
  const db = knex({ client: 'pg', connection: connection as string, pool: { min: 0, max: 1 } });
  try {
    const scan = await scanSegment(eventBatches(db, task.tenant, segmentBounds(task)), task);
    parentPort!.postMessage(scan);
  } finally {
    await db.destroy();
  }
}

void main();
