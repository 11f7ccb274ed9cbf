/**
 * Reading one tenant's events with filters, a page at a time by seq. Every
 * query carries its tenant (invariant 6); the caller has already checked that
 * the reader may see this tenant.
 */
import type { Database } from '../platform/database';
import type { AuditEvent } from './append';
import { EVENT_COLUMNS } from './event-batches';

/** Filters for reading events; every field optional. */
export interface EventFilter {
  /** ISO 8601 instant, inclusive. */
  from?: string;
  /** ISO 8601 instant, exclusive. */
  to?: string;
  action?: string;
  /** The actor's id (technician id, hook or job name). */
  actor?: string;
  subject?: string;
  /** Page after this seq. */
  afterSeq?: number;
  limit: number;
}

/** One page of events and where the next page starts (null: no more). */
export interface EventPage {
  events: AuditEvent[];
  next_after_seq: number | null;
}

/** A page of `tenant`'s events in ascending seq that match `filter`. */
export async function listEvents(
  db: Database,
  tenant: string,
  filter: EventFilter,
): Promise<EventPage> {
  const query = db('audit_events')
    .where({ tenant })
    .andWhere('seq', '>', filter.afterSeq ?? 0)
    .orderBy('seq')
    // One more than asked tells whether another page exists without a count.
    .limit(filter.limit + 1)
    .select(EVENT_COLUMNS);
  // Event times are stored as toISOString() text (fixed width, UTC), so text
  // comparison with a normalised bound orders exactly as time does.
  if (filter.from) query.andWhere('time', '>=', new Date(filter.from).toISOString());
  if (filter.to) query.andWhere('time', '<', new Date(filter.to).toISOString());
  if (filter.action) query.andWhere('action', filter.action);
  if (filter.actor) query.andWhere('actor_id', filter.actor);
  if (filter.subject) query.andWhere('subject', filter.subject);

  const rows = (await query) as AuditEvent[];
  const more = rows.length > filter.limit;
  const events = more ? rows.slice(0, filter.limit) : rows;
  return { events, next_after_seq: more ? events[events.length - 1]!.seq : null };
}
