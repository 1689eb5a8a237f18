/**
 * TLS material of the HTTP listener: the configured PEM files, or (`self_signed`) a certificate for
 * localhost / 127.0.0.1 / ::1 generated at start with the pure-JavaScript `selfsigned` package
 * (node:crypto cannot issue X.509 certificates and an `openssl` binary is not always installed).
 * uWS reads certificates from files, so generated ones are written to a private temporary
 * directory that `cleanup` removes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { TlsConfig } from '../config/schema.js';
import type { EngineTls } from './engine.js';

export interface HttpTls {
  readonly tls: EngineTls;
  readonly cleanup: () => void;
}

/** A self-signed certificate and key (PEM) for local development and tests. */
export async function generateSelfSignedCertificate(hosts: readonly string[] = []): Promise<{ cert: string; key: string }> {
  const selfsigned = (await import('selfsigned')).default;
  const ipPattern = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)$/;
  const names = new Set(['localhost', '127.0.0.1', '::1', ...hosts.filter((host) => host !== '' && host !== '0.0.0.0' && host !== '::')]);
  const altNames = [...names].map((name) => (ipPattern.test(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name }));
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function resolveHttpTls(config: TlsConfig, host: string, logger: Logger): Promise<HttpTls | undefined> {
  if (!config.enabled) return undefined;
  if (!config.selfSigned) {
    const certFile = config.certFile!;
    const keyFile = config.keyFile!;
    return { tls: { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) }, cleanup: () => {} };
  }
  const pems = await generateSelfSignedCertificate([host]);
  const directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-http-tls-'));
  const certFile = path.join(directory, 'cert.pem');
  const keyFile = path.join(directory, 'key.pem');
  writeFileSync(certFile, pems.cert, { mode: 0o600 });
  writeFileSync(keyFile, pems.key, { mode: 0o600 });
  logger.warn('HTTP TLS uses a self-signed certificate generated at start (development only)');
  return {
    tls: { certFile, keyFile, cert: Buffer.from(pems.cert), key: Buffer.from(pems.key) },
    cleanup: () => rmSync(directory, { recursive: true, force: true }),
  };
}
