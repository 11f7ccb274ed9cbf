#!/usr/bin/env node
// Standalone verifier for an audit export of the JIT access broker
// (docs/audit-verification.md). It needs nothing but Node.js (18 or later):
// no package, no network, no trust in the MSP beyond the public key you pin.
//
//   node verify-audit-export.mjs <export.jsonl> [--public-key <file.pem>] [--key-id <hex>]
//
// Exit status: 0 the export verifies, 1 a fault was found, 2 bad usage or unreadable file.
//
// It recomputes every event hash, SHA-256(prev_hash || RFC 8785 JSON of the
// event), checks that the seqs run 1, 2, 3... without a gap, that each event
// links to the one before (the first to 64 zeros), that every checkpoint's
// Ed25519 signature is valid, that the event at a checkpoint's seq has the
// signed hash, and that no checkpoint names a seq past the last event
// (truncation). Every line is covered by a hash, a signature or the key id,
// and unknown fields are refused, so no byte of the file goes unchecked.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const FORMAT = 'jit-audit-export/1';
const GENESIS = '0'.repeat(64);
const HEADER_FIELDS = ['format', 'public_key', 'tenant', 'type'];
const KEY_FIELDS = ['key_id', 'pem'];
const CHECKPOINT_FIELDS = ['hash', 'key_id', 'seq', 'signature', 'tenant', 'time', 'type'];
const EVENT_FIELDS = [
  'action',
  'actor_id',
  'actor_kind',
  'data',
  'hash',
  'id',
  'prev_hash',
  'seq',
  'subject',
  'tenant',
  'time',
  'type',
];

/** A fault in the export: what kind, at which seq (when known) and line. */
class Fault extends Error {
  constructor(kind, seq, detail) {
    super(detail);
    this.kind = kind;
    this.seq = seq;
  }
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) for the values JSON.parse yields.
 * Limits, all outside what the broker writes: numbers are IEEE 754 doubles as
 * JSON.parse reads them (as in the broker, which hashed JS numbers); strings
 * must be well-formed UTF-16 (a lone surrogate is refused, as RFC 8785 asks);
 * duplicate object keys cannot be seen, because JSON.parse keeps the last.
 */
function canonicalize(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // ECMAScript's Number-to-string is exactly RFC 8785 section 3.2.2.3; -0 prints as 0.
      if (!Number.isFinite(value)) throw new Error('a number is not finite');
      return JSON.stringify(value);
    case 'string':
      // JSON.stringify escapes exactly as RFC 8785 section 3.2.2.2 asks.
      if (!isWellFormed(value)) throw new Error('a string has a lone surrogate');
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
      // Default sort compares UTF-16 code units, the order RFC 8785 section 3.2.3 asks.
      return `{${Object.keys(value)
        .sort()
        .map((key) => `${canonicalize(key)}:${canonicalize(value[key])}`)
        .join(',')}}`;
    default:
      throw new Error(`a value of type ${typeof value} has no JSON form`);
  }
}

function isWellFormed(text) {
  return !/(?:[\ud800-\udbff](?![\udc00-\udfff]))|(?:(?<![\ud800-\udbff])[\udc00-\udfff])/.test(
    text,
  );
}

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part, 'utf8');
  return hash.digest('hex');
}

function keyIdOf(publicKey) {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  return sha256Bytes(raw).slice(0, 16);
}

function sha256Bytes(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

function assertFields(record, fields, what, seq = null) {
  const keys = Object.keys(record).sort();
  if (keys.length !== fields.length || keys.some((key, i) => key !== fields[i])) {
    throw new Fault('format', seq, `${what} has fields ${keys.join(',')}`);
  }
}

function assertType(ok, what, seq = null) {
  if (!ok) throw new Fault('format', seq, `${what} has a wrong type`);
}

const isText = (v) => typeof v === 'string';
const isHash = (v) => isText(v) && /^[0-9a-f]{64}$/.test(v);
const isSeq = (v) => Number.isSafeInteger(v) && v > 0;

function readHeader(record, pinned) {
  if (record?.type !== 'header') throw new Fault('format', null, 'the first line is no header');
  assertFields(record, HEADER_FIELDS, 'the header');
  if (record.format !== FORMAT) throw new Fault('format', null, `unknown format ${record.format}`);
  assertType(isText(record.tenant), 'the header tenant');
  assertType(record.public_key && typeof record.public_key === 'object', 'the public key');
  assertFields(record.public_key, KEY_FIELDS, 'the public key');
  const { pem, key_id: keyId } = record.public_key;
  assertType(isText(pem) && isText(keyId), 'the public key');

  let publicKey;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Fault('format', null, 'the public key does not parse');
  }
  // The PEM must be exactly the key's own encoding: no byte of it may vary.
  const canonicalPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (publicKey.asymmetricKeyType !== 'ed25519' || canonicalPem !== pem) {
    throw new Fault('format', null, 'the public key is not a plain Ed25519 PEM');
  }
  if (keyIdOf(publicKey) !== keyId) throw new Fault('format', null, 'the key id does not match');
  if (pinned.keyId && pinned.keyId !== keyId) {
    throw new Fault('key_mismatch', null, `export key ${keyId} is not the pinned ${pinned.keyId}`);
  }
  return { tenant: record.tenant, keyId, publicKey };
}

function checkCheckpoint(record, header, lastSeq) {
  assertFields(record, CHECKPOINT_FIELDS, 'a checkpoint');
  const { tenant, seq, hash, time, key_id: keyId, signature } = record;
  assertType(isSeq(seq) && isHash(hash) && isText(time) && isText(signature), 'a checkpoint');
  if (tenant !== header.tenant) throw new Fault('format', seq, 'a checkpoint of another tenant');
  if (seq <= lastSeq) throw new Fault('format', seq, 'checkpoints are out of order');
  const statement = canonicalize({ tenant, seq, hash, time, key_id: keyId });
  const bytes = Buffer.from(signature, 'base64');
  const valid =
    keyId === header.keyId &&
    bytes.length === 64 &&
    bytes.toString('base64') === signature &&
    verify(null, Buffer.from(statement, 'utf8'), header.publicKey, bytes);
  if (!valid) throw new Fault('checkpoint_mismatch', seq, 'invalid checkpoint signature');
}

function checkEvent(record, header, expectedSeq, prevHash) {
  const seq = record.seq;
  assertFields(record, EVENT_FIELDS, 'an event', seq);
  assertType(isSeq(seq) && isHash(record.hash) && isHash(record.prev_hash), 'an event', seq);
  if (record.tenant !== header.tenant) throw new Fault('format', seq, 'an event of another tenant');
  if (seq !== expectedSeq) throw new Fault('gap', expectedSeq, `next event found is ${seq}`);
  const body = canonicalize({
    tenant: record.tenant,
    seq,
    id: record.id,
    time: record.time,
    actor_kind: record.actor_kind,
    actor_id: record.actor_id,
    action: record.action,
    subject: record.subject,
    data: record.data,
  });
  if (sha256(record.prev_hash, body) !== record.hash) {
    throw new Fault('hash_mismatch', seq, 'contents do not match hash');
  }
  if (record.prev_hash !== prevHash) {
    throw new Fault('hash_mismatch', seq, 'previous hash does not link');
  }
}

/** Verifies the export in `file`; resolves to a summary, or throws a Fault. */
async function verifyExport(file, pinned = {}) {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header = null;
  const checkpoints = new Map();
  let lastCheckpointSeq = 0;
  let lastSeq = 0;
  let prevHash = GENESIS;
  let lineNumber = 0;

  for await (const line of lines) {
    lineNumber += 1;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      throw new Fault('format', null, `line ${lineNumber} is not JSON`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new Fault('format', null, `line ${lineNumber} is not an object`);
    }
    if (header === null) {
      header = readHeader(record, pinned);
    } else if (record.type === 'checkpoint' && lastSeq === 0) {
      checkCheckpoint(record, header, lastCheckpointSeq);
      checkpoints.set(record.seq, record.hash);
      lastCheckpointSeq = record.seq;
    } else if (record.type === 'event') {
      checkEvent(record, header, lastSeq + 1, prevHash);
      const signed = checkpoints.get(record.seq);
      if (signed !== undefined && signed !== record.hash) {
        throw new Fault('checkpoint_mismatch', record.seq, 'hash differs from the checkpoint');
      }
      lastSeq = record.seq;
      prevHash = record.hash;
    } else {
      throw new Fault('format', null, `line ${lineNumber} is out of place or of unknown type`);
    }
  }

  if (header === null) throw new Fault('format', null, 'the file is empty');
  if (lastCheckpointSeq > lastSeq) {
    throw new Fault(
      'truncation',
      lastSeq + 1,
      `checkpoint at ${lastCheckpointSeq} is past the end`,
    );
  }
  return {
    tenant: header.tenant,
    key_id: header.keyId,
    events: lastSeq,
    head_hash: prevHash,
    checkpoints: checkpoints.size,
  };
}

function parseArgs(argv) {
  const args = { file: undefined, keyFile: undefined, keyId: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--public-key') args.keyFile = argv[++i];
    else if (argv[i] === '--key-id') args.keyId = argv[++i];
    else if (!args.file && !argv[i].startsWith('--')) args.file = argv[i];
    else return undefined;
  }
  return args.file ? args : undefined;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    console.error(
      'usage: node verify-audit-export.mjs <export.jsonl> [--public-key <file.pem>] [--key-id <hex>]',
    );
    return 2;
  }
  const pinned = { keyId: args.keyId };
  try {
    if (args.keyFile) {
      const pinnedKey = createPublicKey(readFileSync(args.keyFile, 'utf8'));
      const pinnedId = keyIdOf(pinnedKey);
      if (args.keyId && args.keyId !== pinnedId) {
        console.error('--key-id and --public-key name different keys');
        return 2;
      }
      pinned.keyId = pinnedId;
    }
    const summary = await verifyExport(args.file, pinned);
    console.log(
      `OK tenant=${summary.tenant} events=${summary.events} checkpoints=${summary.checkpoints} ` +
        `key_id=${summary.key_id} head=${summary.head_hash}`,
    );
    if (!pinned.keyId) {
      console.log('note: the key was taken from the export; pin it with --key-id or --public-key');
    }
    return 0;
  } catch (error) {
    if (error instanceof Fault) {
      const at = error.seq === null ? '' : ` at seq ${error.seq}`;
      console.log(`FAULT ${error.kind}${at}: ${error.message}`);
      return 1;
    }
    console.error(`cannot verify: ${error.message}`);
    return 2;
  }
}

process.exitCode = await main();
