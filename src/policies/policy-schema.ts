/**
 * The shape of the YAML policy files, checked with zod. Keys are snake_case as
 * in the files; policy-set.ts turns them into AccessProfile values.
 */
import { z } from 'zod';
import { parseDuration } from './duration';

const DURATION_MESSAGE = 'must be a duration like 2h';

/** A duration field: Vault style (`2h`, `1h30m`) or whole seconds. */
export const durationField = z
  .union([z.string(), z.number()], { error: DURATION_MESSAGE })
  .transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: DURATION_MESSAGE });
      return z.NEVER;
    }
    return seconds;
  });

const approvals = z
  .number({ error: 'must be a whole number from 0 to 3' })
  .int('must be a whole number from 0 to 3')
  .min(0, 'must be a whole number from 0 to 3')
  .max(3, 'must be a whole number from 0 to 3');

const flag = z.boolean({ error: 'must be true or false' });
const name = z.string({ error: 'must be a text' }).min(1, 'must not be empty').max(100);

/** One file under policies/profiles/. */
export const profileFileSchema = z.strictObject({
  description: z.string({ error: 'must be a text' }).max(500).default(''),
  credential: z.enum(['vault-token', 'database', 'ssh'], {
    error: 'must be one of vault-token, database, ssh',
  }),
  max_duration: durationField,
  approvals: approvals.default(0),
  step_up: flag.default(false),
  ticket_required: flag.default(false),
  single_session: flag.default(false),
  vault: z.record(z.string(), z.unknown(), { error: 'must be a mapping' }),
});

/** Vault details per credential kind (see access-profile.ts). */
export const vaultDetailsSchemas = {
  'vault-token': z.strictObject({
    policies: z.array(name, { error: 'must be a list of policy names' }).min(1, 'name one'),
  }),
  database: z.strictObject({ role: name }),
  ssh: z.strictObject({
    role: name,
    principals: z.array(name, { error: 'must be a list of login names' }).min(1, 'name one'),
  }),
} as const;

/** What a tenant may change about one profile: each only towards stricter. */
export const profileOverrideSchema = z.strictObject({
  max_duration: durationField.optional(),
  approvals: approvals.optional(),
  step_up: flag.optional(),
  ticket_required: flag.optional(),
  single_session: flag.optional(),
});

/** One file under policies/tenants/. */
export const tenantFileSchema = z.strictObject({
  profiles: z.record(z.string(), profileOverrideSchema, { error: 'must be a mapping' }),
});

/** A checked profile file. */
export type ProfileFile = z.infer<typeof profileFileSchema>;
/** A checked override of one profile. */
export type ProfileOverride = z.infer<typeof profileOverrideSchema>;
