/**
 * Checkout: the holder of an active grant opens an access session and gets the
 * credential once, inside a fresh single-use Vault wrapping token with a short
 * TTL. The broker sees the credential only in memory, for the moment it takes
 * to re-wrap it; it never reaches the database or the log.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { appendAuditEventsWith } from '../audit/append';
import type { Principal } from '../identity/authenticate';
import type { PolicySet } from '../policies/policy-set';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { badRequest, conflict, forbidden, notFound } from '../platform/errors';
import { park, unpark, type ParkedColumns } from './grant-parking';
import type { GrantVault } from './grant-vault';

/** The longest life of the wrapping token handed to a technician, in seconds. */
export const DELIVERY_WRAP_TTL = 300;

/** Dependencies of checkout. */
export interface CheckoutDeps {
  db: Database;
  config: Pick<Config, 'totpKeys'>;
  vault: GrantVault;
  /** The policy set in force (a function, so a reload can swap it). */
  policies: () => PolicySet;
}

/** What the caller sends and where from. */
export interface CheckoutInput {
  publicKey?: string;
  clientIp: string | undefined;
  userAgent: string | undefined;
}

/** The checkout answer (DESIGN.md section 9). */
export interface CheckoutResult {
  session_id: string;
  wrap_token: string;
  wrap_ttl: number;
  vault_addr: string;
  expires_at: string;
  namespace?: string;
}

type GrantRow = {
  id: string;
  tenant: string;
  profile: string;
  technician_id: string;
  credential_kind: string;
  status: string;
  ends_at: Date;
} & Partial<ParkedColumns>;

/** Refuses unless `grant` is the caller's and can be used right now. */
function assertUsable(grant: GrantRow | undefined, principal: Principal, now: Date): GrantRow {
  if (!grant) throw notFound('grant.not_found', 'No such grant');
  if (grant.technician_id !== principal.technicianId) {
    throw forbidden('grant.not_holder', 'Only the holder of a grant may check it out');
  }
  if (grant.status === 'revoking' || grant.status === 'revoked') {
    throw conflict('grant.revoked', 'This grant has been revoked');
  }
  if (grant.status === 'expired' || grant.ends_at <= now) {
    throw conflict('grant.expired', 'This grant has ended');
  }
  if (grant.status !== 'active') {
    throw conflict('grant.not_active', `This grant is ${grant.status}, not active`);
  }
  return grant;
}

async function lockGrant(trx: Knex.Transaction, id: string): Promise<GrantRow | undefined> {
  return trx('grants')
    .where({ id })
    .forUpdate()
    .first(
      'id',
      'tenant',
      'profile',
      'technician_id',
      'credential_kind',
      'status',
      'ends_at',
      'parked_wrap_sealed',
      'parked_key_id',
    );
}

/** Opens an access session on a grant and delivers its credential, wrapped. */
export async function checkout(
  deps: CheckoutDeps,
  principal: Principal,
  grantId: string,
  input: CheckoutInput,
): Promise<CheckoutResult> {
  const { db, vault } = deps;
  const userAgent = input.userAgent?.slice(0, 300) ?? null;

  // One transaction under the grant's row lock, so that a revocation marked
  // meanwhile waits for it and then closes the session it opened: take the
  // credential out of its parking (or sign the SSH key), park it again for the
  // next session, wrap it for the technician, and open the session.
  return db.transaction(async (trx) => {
    const grant = assertUsable(await lockGrant(trx, grantId), principal, new Date());
    const ttl = secondsLeft(grant);
    const deliver = (secret: Record<string, unknown>) =>
      vault.wrap(grant.tenant, secret, Math.min(DELIVERY_WRAP_TTL, ttl));
    let wrapped: Awaited<ReturnType<typeof deliver>>;
    let columns: Partial<ParkedColumns> & { ssh_serial?: string | null };
    if (grant.credential_kind === 'ssh') {
      const issued = await signKey(deps, grant, principal, input, ttl);
      wrapped = await deliver(issued.secret);
      columns = { ssh_serial: issued.serial ?? null };
    } else {
      if (!grant.parked_wrap_sealed || !grant.parked_key_id) {
        throw conflict('grant.not_active', 'This grant has no credential to deliver');
      }
      const keys = deps.config.totpKeys;
      const secret = await unpark(vault, keys, grant as GrantRow & ParkedColumns);
      // Parking it again and wrapping it for delivery are independent: side by side.
      [columns, wrapped] = await Promise.all([
        park(vault, keys, grant, secret, ttl),
        deliver(secret),
      ]);
    }

    // The parking, the session and its event: one statement.
    const sessionId = randomUUID();
    const parkedAgain = trx('grants')
      .where({ id: grant.id })
      .update({ ...columns, first_checkout_at: trx.raw('coalesce(first_checkout_at, now())') });
    const session = trx('access_sessions').insert({
      id: sessionId,
      grant_id: grant.id,
      tenant: grant.tenant,
      technician_id: principal.technicianId,
      client_ip: input.clientIp ?? null,
      user_agent: userAgent,
    });
    await appendAuditEventsWith(trx, { changes: [parkedAgain, session] }, [
      {
        tenant: grant.tenant,
        actor: { kind: 'technician', id: principal.technicianId },
        action: 'session.opened',
        subject: sessionId,
        data: {
          grant_id: grant.id,
          profile: grant.profile,
          client_ip: input.clientIp ?? null,
          user_agent: userAgent,
        },
      },
    ]);

    const namespace = vault.namespaceFor(grant.tenant);
    return {
      session_id: sessionId,
      wrap_token: wrapped.token,
      wrap_ttl: wrapped.ttl,
      vault_addr: vault.publicAddr,
      expires_at: grant.ends_at.toISOString(),
      ...(namespace ? { namespace } : {}),
    };
  });
}

function secondsLeft(grant: GrantRow): number {
  return Math.max(1, Math.floor((grant.ends_at.getTime() - Date.now()) / 1000));
}

const OPENSSH_PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( [^\n]{0,200})?$/;

async function signKey(
  deps: CheckoutDeps,
  grant: GrantRow,
  principal: Principal,
  input: CheckoutInput,
  ttlSeconds: number,
) {
  const publicKey = input.publicKey?.trim();
  if (!publicKey) {
    throw badRequest('checkout.public_key_required', 'An SSH grant needs your public key');
  }
  if (!OPENSSH_PUBLIC_KEY.test(publicKey)) {
    throw badRequest('checkout.public_key_invalid', 'The public key is not an OpenSSH public key');
  }
  const profile = deps.policies().profile(grant.tenant, grant.profile);
  if (!profile) throw conflict('policy.unknown_profile', 'The grant names an unknown profile');
  const issued = await deps.vault.issuers.ssh.issue({
    grantId: grant.id,
    tenant: grant.tenant,
    technicianId: principal.technicianId,
    technicianEmail: principal.email,
    profile,
    ttlSeconds,
    publicKey,
  });
  return issued;
}
