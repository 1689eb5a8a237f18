/**
 * TLS material for the listeners: the PEM files named in the config, or a certificate generated at
 * start when `self_signed` is set (development only: clients must skip verification or trust it).
 *
 * Certificates are generated without a dependency: an ECDSA P-256 key from node:crypto and a small
 * DER writer for the X.509 v3 structure (RFC 5280). The same function signs with a given issuer, so
 * tests can make a CA, a server certificate and client certificates for mutual TLS.
 *
 *   Certificate    = SEQ { tbsCertificate, signatureAlgorithm, signature:BIT STRING }
 *   tbsCertificate = SEQ { [0]{version:INT 2}, serial:INT, signatureAlgorithm, issuer:Name,
 *                          validity:SEQ{notBefore, notAfter}, subject:Name, subjectPublicKeyInfo,
 *                          [3]{extensions} }
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import type { TlsConfig } from '../config/schema.js';

/** A certificate chain and its private key, both PEM. */
export interface CertificateKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateOptions {
  /** Subject common name (CN). */
  readonly commonName: string;
  /** subjectAltName entries: host names and IP addresses (IPv4 or IPv6) the certificate is valid for. */
  readonly altNames?: readonly string[];
  /** Validity from one hour ago (clock skew) for this many days. Default 365. */
  readonly validityDays?: number;
  /** Signs with this certificate's key and names it as issuer; absent = self-signed. */
  readonly issuer?: CertificateKeyPair;
  /** A certificate authority (basicConstraints CA:TRUE, keyCertSign) instead of an end entity. */
  readonly certificateAuthority?: boolean;
}

/** The names a generated development certificate covers. */
export const LOCAL_ALT_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** A self-signed end-entity certificate for localhost (the `self_signed` config option). */
export function generateSelfSignedCertificate(commonName = 'localhost', altNames: readonly string[] = LOCAL_ALT_NAMES): CertificateKeyPair {
  return generateCertificate({ commonName, altNames });
}

/** Generates an ECDSA P-256 key and an X.509 v3 certificate for it (self-signed or signed by `issuer`). */
export function generateCertificate(options: CertificateOptions): CertificateKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const subjectPublicKeyInfo = publicKey.export({ type: 'spki', format: 'der' });
  const subject = encodeName(options.commonName);
  const issuerName = options.issuer === undefined ? subject : subjectNameOf(options.issuer.certPem);
  const signingKey = options.issuer === undefined ? privateKey : createPrivateKey(options.issuer.keyPem);

  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + (options.validityDays ?? 365) * 24 * 60 * 60 * 1000);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and minimally encoded

  const tbsCertificate = sequence(
    tagged(0xa0, integerBytes(Buffer.from([2]))),
    integerBytes(serial),
    ECDSA_WITH_SHA256,
    issuerName,
    sequence(encodeTime(notBefore), encodeTime(notAfter)),
    subject,
    subjectPublicKeyInfo,
    tagged(0xa3, sequence(...extensions(options))),
  );
  const signature = sign('sha256', tbsCertificate, signingKey); // DER ECDSA-Sig-Value
  const certificate = sequence(tbsCertificate, ECDSA_WITH_SHA256, bitString(signature));
  return { certPem: toPem('CERTIFICATE', certificate), keyPem };
}

/** PEM files or a generated pair, as a TLS config section describes them (the loader already checked presence). */
export interface ServerTlsMaterial extends CertificateKeyPair {
  /** CA bundle (PEM) client certificates must chain to; set when `ca_file` is. */
  readonly caPem?: string;
  readonly selfSigned: boolean;
}

/** Reads (or generates) the certificate, key and CA of one TLS config section. */
export function loadTlsMaterial(config: TlsConfig, section: string): ServerTlsMaterial {
  const caPem = config.caFile === null ? undefined : readPem(config.caFile, `${section}.tls.ca_file`);
  if (config.selfSigned) return { ...generateSelfSignedCertificate(), ...(caPem === undefined ? {} : { caPem }), selfSigned: true };
  if (config.certFile === null || config.keyFile === null) throw new Error(`${section}.tls: cert_file and key_file are required unless self_signed = true`);
  return {
    certPem: readPem(config.certFile, `${section}.tls.cert_file`),
    keyPem: readPem(config.keyFile, `${section}.tls.key_file`),
    ...(caPem === undefined ? {} : { caPem }),
    selfSigned: false,
  };
}

/** node:tls server options for a TLS config section; `client_auth` requires certificates chaining to `ca_file`. */
export function nodeTlsServerOptions(config: TlsConfig, section: string): tls.TlsOptions {
  const material = loadTlsMaterial(config, section);
  const options: tls.TlsOptions = { cert: material.certPem, key: material.keyPem, minVersion: 'TLSv1.2' };
  if (config.clientAuth) {
    if (material.caPem === undefined) throw new Error(`${section}.tls.ca_file is required when ${section}.tls.client_auth = true`);
    options.ca = material.caPem;
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  return options;
}

/**
 * Writes PEM material to a private temporary directory for libraries that only take file names
 * (uWebSockets.js); `remove()` deletes it once the library has read the files.
 */
export function writeTemporaryPemFiles(files: Readonly<Record<string, string>>): { paths: Record<string, string>; remove(): void } {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-tls-'));
  const paths: Record<string, string> = {};
  for (const [name, pem] of Object.entries(files)) {
    const file = path.join(directory, `${name}.pem`);
    writeFileSync(file, pem, { mode: 0o600 });
    paths[name] = file;
  }
  return { paths, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

function readPem(file: string, key: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${key}: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`${key}: ${file} is not a PEM file`);
  return text;
}

// --- DER writer (only what a certificate needs) ---

const OID_COMMON_NAME = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ECDSA_WITH_SHA256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));

// keyUsage bits (BIT STRING, bit 0 = most significant): digitalSignature = 0, keyCertSign = 5, cRLSign = 6.
const KEY_USAGE_END_ENTITY = Buffer.from([0x07, 0x80]); // 7 unused bits, digitalSignature
const KEY_USAGE_CA = Buffer.from([0x01, 0x86]); // 1 unused bit, digitalSignature | keyCertSign | cRLSign

function extensions(options: CertificateOptions): Buffer[] {
  const result: Buffer[] = [];
  if (options.certificateAuthority) {
    result.push(extension(OID_BASIC_CONSTRAINTS, true, sequence(tlv(0x01, Buffer.from([0xff])))));
    result.push(extension(OID_KEY_USAGE, true, tlv(0x03, KEY_USAGE_CA)));
  } else {
    result.push(extension(OID_BASIC_CONSTRAINTS, true, sequence()));
    result.push(extension(OID_KEY_USAGE, true, tlv(0x03, KEY_USAGE_END_ENTITY)));
    result.push(extension(OID_EXTENDED_KEY_USAGE, false, sequence(objectIdentifier(OID_SERVER_AUTH), objectIdentifier(OID_CLIENT_AUTH))));
  }
  const altNames = options.altNames ?? [];
  if (altNames.length > 0) {
    // GeneralName: [2] dNSName (IA5String), [7] iPAddress (4 or 16 octets).
    const names = altNames.map((name) => (isIP(name) === 0 ? tlv(0x82, Buffer.from(name, 'ascii')) : tlv(0x87, ipAddressBytes(name))));
    result.push(extension(OID_SUBJECT_ALT_NAME, false, sequence(...names)));
  }
  return result;
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  const parts = [objectIdentifier(oid)];
  if (critical) parts.push(tlv(0x01, Buffer.from([0xff])));
  parts.push(tlv(0x04, value));
  return sequence(...parts);
}

function encodeName(commonName: string): Buffer {
  return sequence(tlv(0x31, sequence(objectIdentifier(OID_COMMON_NAME), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

/** The DER bytes of the subject Name of a PEM certificate (the issuer field of certificates it signs). */
function subjectNameOf(certPem: string): Buffer {
  const der = new X509Certificate(certPem).raw;
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.contentStart);
  let at = tbs.contentStart;
  let field = readTlv(der, at);
  if (der[at] === 0xa0) {
    at = field.end; // explicit version
    field = readTlv(der, at);
  }
  // serial, signature algorithm, issuer, validity, then subject
  for (let skip = 0; skip < 4; skip += 1) {
    at = field.end;
    field = readTlv(der, at);
  }
  return Buffer.from(der.subarray(at, field.end));
}

function readTlv(der: Buffer, at: number): { contentStart: number; end: number } {
  if (at + 2 > der.length) throw new Error('truncated DER');
  let length = der[at + 1]!;
  let contentStart = at + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4 || contentStart + lengthBytes > der.length) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < lengthBytes; i += 1) length = length * 256 + der[contentStart + i]!;
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error('truncated DER');
  return { contentStart, end };
}

function encodeTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

function ipAddressBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand "::" then write eight 16-bit groups.
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2));
  return bytes;
}

function objectIdentifier(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const bytes: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift((rest & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integerBytes(value: Buffer): Buffer {
  return tlv(0x02, value);
}

function bitString(value: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), value]));
}

function sequence(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

function tagged(tag: number, content: Buffer): Buffer {
  return tlv(tag, content);
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000) header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  else header = Buffer.from([tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
  return Buffer.concat([header, content]);
}

function toPem(label: string, der: Buffer): string {
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
