/**
 * Demo data for development: the tenants `acme` and `globex`, each created
 * with its `tenant.created` audit event, so that a fresh `npm start` has
 * customers to request access to. Idempotent: existing tenants are left alone.
 * The access profiles come from `policies/` as always.
 */
import type { Actor } from '../audit/actions';
import { appendAudit } from '../audit/append';
import type { Database } from '../platform/database';

/** The demo tenants, by slug. */
export const DEMO_TENANTS = [
  { slug: 'acme', name: 'Acme Corporation (demo)' },
  { slug: 'globex', name: 'Globex Corporation (demo)' },
];

const SEEDER: Actor = { kind: 'system', id: 'seed-demo' };

/** Creates the demo tenants that do not exist yet; returns the slugs created. */
export async function seedDemo(db: Database): Promise<string[]> {
  const created: string[] = [];
  for (const tenant of DEMO_TENANTS) {
    await db.transaction(async (trx) => {
      const inserted = await trx('tenants')
        .insert(tenant)
        .onConflict('slug')
        .ignore()
        .returning('slug');
      if (inserted.length === 0) return;
      await appendAudit(trx, {
        tenant: tenant.slug,
        actor: SEEDER,
        action: 'tenant.created',
        subject: tenant.slug,
        data: { name: tenant.name, source: 'development seed' },
      });
      created.push(tenant.slug);
    });
  }
  return created;
}
