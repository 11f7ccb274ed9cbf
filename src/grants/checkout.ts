/**
 * Checkout: the holder of an active grant opens an access session and gets the
 * credential once, inside a fresh single-use Vault wrapping token with a short
 * TTL. The broker sees the credential only in memory, for the moment it takes
 * to re-wrap it; it never reaches the database or the log.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { appendAuditEventsWith } from '../audit/append';
import type { Principal } from '../identity/authenticate';
import type { PolicySet } from '../policies/policy-set';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { AppError, badRequest, conflict, forbidden, notFound } from '../platform/errors';
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

/** The grant as checkout reads it, without a lock. */
async function readGrant(db: Database, id: string): Promise<GrantRow | undefined> {
  return db('grants')
    .where({ id })
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

/** How often checkout looks again for a parking another checkout is renewing. */
const PARKING_POLLS = 20;
const PARKING_POLL_MS = 25;

/**
 * Opens an access session on a grant and delivers its credential, wrapped.
 *
 * No lock is held while Vault works. Vault lets a parked credential be
 * unwrapped once, so of two checkouts of one grant (a double click) only one
 * gets it; the other waits for the fresh parking and starts over. The
 * statement that records the session changes the grant only if it is still
 * active and still parked as it was read, so a revocation marked meanwhile
 * refuses the checkout, and one marked after it closes the session it opened.
 */
export async function checkout(
  deps: CheckoutDeps,
  principal: Principal,
  grantId: string,
  input: CheckoutInput,
): Promise<CheckoutResult> {
  for (;;) {
    const grant = assertUsable(await readGrant(deps.db, grantId), principal, new Date());
    const delivered = await deliver(deps, grant, principal, input);
    if (delivered === 'parking taken') continue;
    const sessionId = await openSession(deps.db, grant, principal, input, delivered.columns);
    if (!sessionId) {
      // The grant ended or was revoked while Vault worked: say which.
      assertUsable(await readGrant(deps.db, grantId), principal, new Date());
      throw conflict('grant.not_active', 'This grant changed during checkout: try again');
    }
    const namespace = deps.vault.namespaceFor(grant.tenant);
    return {
      session_id: sessionId,
      wrap_token: delivered.wrapped.token,
      wrap_ttl: delivered.wrapped.ttl,
      vault_addr: deps.vault.publicAddr,
      expires_at: grant.ends_at.toISOString(),
      ...(namespace ? { namespace } : {}),
    };
  }
}

type Delivery = {
  wrapped: Awaited<ReturnType<GrantVault['wrap']>>;
  columns: Partial<ParkedColumns> & { ssh_serial?: string | null };
};

/**
 * The Vault side of checkout: takes the credential out of its parking (or
 * signs the SSH key), parks it again for the next session and wraps it for
 * the technician. Answers 'parking taken' when another checkout unwrapped the
 * parking first and has since parked it anew.
 */
async function deliver(
  deps: CheckoutDeps,
  grant: GrantRow,
  principal: Principal,
  input: CheckoutInput,
): Promise<Delivery | 'parking taken'> {
  const { vault } = deps;
  const ttl = secondsLeft(grant);
  const wrap = (secret: Record<string, unknown>) =>
    vault.wrap(grant.tenant, secret, Math.min(DELIVERY_WRAP_TTL, ttl));
  if (grant.credential_kind === 'ssh') {
    const issued = await signKey(deps, grant, principal, input, ttl);
    return { wrapped: await wrap(issued.secret), columns: { ssh_serial: issued.serial ?? null } };
  }
  if (!grant.parked_wrap_sealed || !grant.parked_key_id) {
    throw conflict('grant.not_active', 'This grant has no credential to deliver');
  }
  const keys = deps.config.totpKeys;
  let secret: Record<string, unknown>;
  try {
    secret = await unpark(vault, keys, grant as GrantRow & ParkedColumns);
  } catch (error) {
    // Vault refuses a parking that was unwrapped already.
    const refused = error instanceof AppError && error.code === 'vault.denied';
    if (refused && (await parkingRenewed(deps.db, grant))) return 'parking taken';
    throw error;
  }
  // Parking it again and wrapping it for delivery are independent: side by side.
  const [columns, wrapped] = await Promise.all([
    park(vault, keys, grant, secret, ttl),
    wrap(secret),
  ]);
  return { wrapped, columns };
}

/**
 * After Vault refused a parking: whether, within a moment, the grant is parked
 * anew or no longer active (another checkout unwrapped it first, or the grant
 * ended). If not, the refusal was Vault's own and stands.
 */
async function parkingRenewed(db: Database, grant: GrantRow): Promise<boolean> {
  for (let poll = 0; poll < PARKING_POLLS; poll++) {
    const now = await readGrant(db, grant.id);
    if (now?.status !== 'active' || now.parked_wrap_sealed !== grant.parked_wrap_sealed) {
      return true;
    }
    await setTimeout(PARKING_POLL_MS);
  }
  return false;
}

/**
 * One statement: the grant's new parking, if the grant is still active and
 * parked as read; the session; its event. Returns the session's id, or
 * undefined when the grant had changed and nothing was written.
 */
async function openSession(
  db: Database,
  grant: GrantRow,
  principal: Principal,
  input: CheckoutInput,
  columns: Delivery['columns'],
): Promise<string | undefined> {
  const sessionId = randomUUID();
  const clientIp = input.clientIp ?? null;
  const userAgent = input.userAgent?.slice(0, 300) ?? null;
  const parkedAgain = db('grants')
    .where({ id: grant.id, status: 'active' })
    .andWhere('ends_at', '>', db.fn.now())
    .andWhere('parked_wrap_sealed', grant.parked_wrap_sealed ?? null)
    .update({ ...columns, first_checkout_at: db.raw('coalesce(first_checkout_at, now())') });
  const session = (where: string) =>
    db.raw(
      `insert into access_sessions (id, grant_id, tenant, technician_id, client_ip, user_agent)
       select ?, ?, ?, ?, ?, ? ${where}`,
      [sessionId, grant.id, grant.tenant, principal.technicianId, clientIp, userAgent],
    );
  const events = await appendAuditEventsWith(db, { changes: [parkedAgain], gated: [session] }, [
    {
      tenant: grant.tenant,
      actor: { kind: 'technician', id: principal.technicianId },
      action: 'session.opened',
      subject: sessionId,
      data: {
        grant_id: grant.id,
        profile: grant.profile,
        client_ip: clientIp,
        user_agent: userAgent,
      },
    },
  ]);
  return events ? sessionId : undefined;
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
