/**
 * OpenSSH user certificates signed by an Ed25519 CA, in the wire format of
 * OpenSSH's PROTOCOL.certkeys, so that `ssh-keygen -L` and sshd read them.
 * The stand-in uses this for `<mount>/sign/:role`; tests use the parser to
 * check validity and principals.
 */
import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

/** An Ed25519 certificate authority. */
export interface SshCa {
  privateKey: KeyObject;
  /** The CA's public key in authorized_keys form (`ssh-ed25519 AAAA...`). */
  publicKey: string;
}

/** What goes into a user certificate. */
export interface CertificateFields {
  publicKey: string;
  serial: bigint;
  keyId: string;
  principals: string[];
  validAfter: number;
  validBefore: number;
  extensions: Record<string, string>;
}

/** A parsed certificate: the fields tests and callers check. */
export interface ParsedCertificate {
  type: string;
  serial: bigint;
  certType: number;
  keyId: string;
  principals: string[];
  validAfter: number;
  validBefore: number;
  extensions: string[];
  signatureKey: Buffer;
}

const USER_CERT = 1;

function str(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function u64(value: bigint | number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return out;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** Makes a new Ed25519 CA. */
export function generateSshCa(): SshCa {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([str('ssh-ed25519'), str(raw)]);
  return { privateKey, publicKey: `ssh-ed25519 ${blob.toString('base64')}` };
}

/** Reads an authorized_keys line into its key type and wire blob. */
export function readPublicKey(line: string): { type: string; blob: Buffer } {
  const [type, base64] = line.trim().split(/\s+/);
  if (!type || !base64) throw new Error('public key is not in OpenSSH format');
  const blob = Buffer.from(base64, 'base64');
  const reader = new Reader(blob);
  if (reader.string().toString() !== type) throw new Error('public key type mismatch');
  if (!['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256'].includes(type)) {
    throw new Error(`unsupported key type ${type}`);
  }
  return { type, blob };
}

/** Signs a user certificate for `fields.publicKey` with the CA. */
export function signUserCertificate(ca: SshCa, fields: CertificateFields): string {
  const { type, blob } = readPublicKey(fields.publicKey);
  const certType = `${type}-cert-v01@openssh.com`;
  // The key's own fields follow its type string in the blob, unchanged.
  const keyFields = blob.subarray(4 + type.length);
  const principals = Buffer.concat(fields.principals.map((p) => str(p)));
  const extensions = Buffer.concat(
    Object.keys(fields.extensions)
      .sort()
      .map((name) => {
        // Flag extensions carry empty data; others carry a string inside the data string.
        const value = fields.extensions[name]!;
        return Buffer.concat([str(name), str(value === '' ? Buffer.alloc(0) : str(value))]);
      }),
  );
  const caBlob = Buffer.from(ca.publicKey.split(' ')[1]!, 'base64');
  const body = Buffer.concat([
    str(certType),
    str(randomBytes(32)),
    keyFields,
    u64(fields.serial),
    u32(USER_CERT),
    str(fields.keyId),
    str(principals),
    u64(fields.validAfter),
    u64(fields.validBefore),
    str(Buffer.alloc(0)),
    str(extensions),
    str(Buffer.alloc(0)),
    str(caBlob),
  ]);
  const signature = sign(null, body, ca.privateKey);
  const signed = Buffer.concat([body, str(Buffer.concat([str('ssh-ed25519'), str(signature)]))]);
  return `${certType} ${signed.toString('base64')}`;
}

/** Parses an OpenSSH certificate line (any supported key type). */
export function parseCertificate(line: string): ParsedCertificate {
  const [, base64] = line.trim().split(/\s+/);
  const reader = new Reader(Buffer.from(base64 ?? '', 'base64'));
  const type = reader.string().toString();
  reader.string(); // nonce
  const keyFieldCount: Record<string, number> = {
    'ssh-ed25519-cert-v01@openssh.com': 1,
    'ssh-rsa-cert-v01@openssh.com': 2,
    'ecdsa-sha2-nistp256-cert-v01@openssh.com': 2,
  };
  const count = keyFieldCount[type];
  if (count === undefined) throw new Error(`not a certificate: ${type}`);
  for (let i = 0; i < count; i++) reader.string();
  const serial = reader.u64();
  const certType = reader.u32();
  const keyId = reader.string().toString();
  const principalReader = new Reader(reader.string());
  const principals: string[] = [];
  while (!principalReader.done()) principals.push(principalReader.string().toString());
  const validAfter = Number(reader.u64());
  const validBefore = Number(reader.u64());
  reader.string(); // critical options
  const extensionReader = new Reader(reader.string());
  const extensions: string[] = [];
  while (!extensionReader.done()) {
    extensions.push(extensionReader.string().toString());
    extensionReader.string();
  }
  reader.string(); // reserved
  const signatureKey = reader.string();
  return {
    type,
    serial,
    certType,
    keyId,
    principals,
    validAfter,
    validBefore,
    extensions,
    signatureKey,
  };
}

/** The CA public key as a node KeyObject, for checking signatures in tests. */
export function caKeyObject(caPublicKey: string): KeyObject {
  const reader = new Reader(Buffer.from(caPublicKey.split(' ')[1]!, 'base64'));
  reader.string();
  const x = reader.string().toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

class Reader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  done() {
    return this.offset >= this.data.length;
  }
  u32() {
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  u64() {
    const value = this.data.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  string() {
    const length = this.u32();
    const value = this.data.subarray(this.offset, this.offset + length);
    if (value.length !== length) throw new Error('truncated ssh data');
    this.offset += length;
    return value;
  }
}
