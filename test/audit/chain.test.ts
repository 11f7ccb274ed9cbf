import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { GENESIS_HASH, canonicalEvent, chainHash, type ChainedEvent } from '../../src/audit/chain';

const base: ChainedEvent = {
  tenant: 'acme',
  seq: 1,
  id: '6f1c0e5e-8a3b-4a43-9b2a-1f0d7e9d0c11',
  time: '2026-12-03T13:00:00.000Z',
  actor_kind: 'technician',
  actor_id: 'tech-1',
  action: 'grant.issued',
  subject: 'grant-1',
  data: {},
};

// Shapes and values where a hand-written serializer could drift from RFC 8785.
const CASES: [string, Partial<ChainedEvent>][] = [
  ['plain', {}],
  ['null actor and subject', { actor_id: null, subject: null }],
  ['unicode and escapes', { subject: 'é "q" \\ \n \u0001 ☃ 😀', actor_id: '\u2028' }],
  ['large seq', { seq: 2 ** 53 - 1 }],
  ['nested data', { data: { z: [1, { b: 2, a: 1 }], a: null, é: true, A: 'x', 'e\u0301': 2 } }],
  ['numbers', { data: { f: 0.1, e: 1e21, small: 1e-7, neg: -0, big: 123456789012345680000 } }],
  ['array data', { data: [3, 'two', false] }],
];

describe('the chain hash', () => {
  it.each(CASES)(
    'writes the same canonical bytes as the package over the whole event: %s',
    (_n, change) => {
      const event = { ...base, ...change };
      expect(canonicalEvent(event)).toBe(canonicalize(event));
    },
  );

  it('is SHA-256 over the previous hash and the canonical event, hex', () => {
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalize(base))
      .digest('hex');
    expect(chainHash(GENESIS_HASH, base)).toBe(expected);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('changes with any field and with the previous hash', () => {
    const hash = chainHash(GENESIS_HASH, base);
    expect(chainHash('1'.repeat(64), base)).not.toBe(hash);
    for (const field of [
      'tenant',
      'id',
      'time',
      'actor_kind',
      'actor_id',
      'action',
      'subject',
    ] as const) {
      expect(chainHash(GENESIS_HASH, { ...base, [field]: 'other' })).not.toBe(hash);
    }
    expect(chainHash(GENESIS_HASH, { ...base, seq: 2 })).not.toBe(hash);
    expect(chainHash(GENESIS_HASH, { ...base, data: { x: 1 } })).not.toBe(hash);
  });
});
