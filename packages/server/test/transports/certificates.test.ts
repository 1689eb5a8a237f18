/**
 * Certificate generation (src/transports/tls.ts): the DER writer's output must parse as X.509 v3,
 * carry the requested names and constraints, verify against its issuer, and load from the config.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCertificate, generateSelfSignedCertificate, loadTlsMaterial, nodeTlsServerOptions } from '../../src/transports/tls.js';
import type { TlsConfig } from '../../src/config/schema.js';

const directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-certificates-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const TLS_OFF: TlsConfig = { enabled: true, certFile: null, keyFile: null, selfSigned: false, caFile: null, clientAuth: false };

describe('generateSelfSignedCertificate', () => {
  it('makes a v3 end-entity certificate for localhost, 127.0.0.1 and ::1 that verifies with its own key', () => {
    const pair = generateSelfSignedCertificate();
    const certificate = new X509Certificate(pair.certPem);
    expect(certificate.subject).toBe('CN=localhost');
    expect(certificate.issuer).toBe('CN=localhost');
    expect(certificate.ca).toBe(false);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkIP('::1')).toBe('::1');
    expect(certificate.checkHost('example.com')).toBeUndefined();
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
    expect(certificate.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
  });

  it('is valid from an hour ago for a year', () => {
    const certificate = new X509Certificate(generateSelfSignedCertificate().certPem);
    const now = Date.now();
    const from = new Date(certificate.validFrom).getTime();
    const to = new Date(certificate.validTo).getTime();
    expect(now - from).toBeGreaterThan(59 * 60 * 1000);
    expect(now - from).toBeLessThan(61 * 60 * 1000);
    expect(to - from).toBe(365 * 24 * 60 * 60 * 1000);
  });

  it('draws a fresh key and serial number every time', () => {
    const first = new X509Certificate(generateSelfSignedCertificate().certPem);
    const second = new X509Certificate(generateSelfSignedCertificate().certPem);
    expect(first.serialNumber).not.toBe(second.serialNumber);
    expect(first.fingerprint256).not.toBe(second.fingerprint256);
  });
});

describe('generateCertificate with an issuer', () => {
  const authority = generateCertificate({ commonName: 'Test Authority', certificateAuthority: true, validityDays: 30 });
  const leaf = generateCertificate({ commonName: 'server.test', altNames: ['server.test', '10.1.2.3', 'fe80::1'], issuer: authority });

  it('makes a CA certificate', () => {
    const certificate = new X509Certificate(authority.certPem);
    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toBe('CN=Test Authority');
  });

  it('names the issuer by its subject and verifies with the issuer key only', () => {
    const certificate = new X509Certificate(leaf.certPem);
    const issuer = new X509Certificate(authority.certPem);
    expect(certificate.issuer).toBe('CN=Test Authority');
    expect(certificate.checkIssued(issuer)).toBe(true);
    expect(certificate.verify(issuer.publicKey)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(false);
    expect(certificate.checkHost('server.test')).toBe('server.test');
    expect(certificate.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(certificate.checkIP('fe80::1')).toBe('fe80::1');
  });

  it('builds a chain OpenSSL accepts in a TLS handshake', async () => {
    const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: authority.certPem, servername: 'server.test' });
        socket.on('data', (data) => resolve(data.toString()));
        socket.on('error', reject);
      });
      expect(received).toBe('hello');
    } finally {
      server.close();
    }
  });
});

describe('loadTlsMaterial', () => {
  it('reads the configured PEM files and CA', () => {
    const pair = generateSelfSignedCertificate();
    const certFile = path.join(directory, 'cert.pem');
    const keyFile = path.join(directory, 'key.pem');
    writeFileSync(certFile, pair.certPem);
    writeFileSync(keyFile, pair.keyPem);
    const material = loadTlsMaterial({ ...TLS_OFF, certFile, keyFile, caFile: certFile }, 'tcp');
    expect(material).toEqual({ certPem: pair.certPem, keyPem: pair.keyPem, caPem: pair.certPem, selfSigned: false });
  });

  it('generates a pair when self_signed is set', () => {
    const material = loadTlsMaterial({ ...TLS_OFF, selfSigned: true }, 'tcp');
    expect(material.selfSigned).toBe(true);
    expect(new X509Certificate(material.certPem).subject).toBe('CN=localhost');
  });

  it('names the key and the file when a file cannot be read or is not PEM', () => {
    expect(() => loadTlsMaterial({ ...TLS_OFF, certFile: path.join(directory, 'missing.pem'), keyFile: 'x' }, 'tcp')).toThrow(/tcp\.tls\.cert_file: cannot read .*missing\.pem/);
    const notPem = path.join(directory, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() => loadTlsMaterial({ ...TLS_OFF, certFile: notPem, keyFile: notPem }, 'websocket')).toThrow(/websocket\.tls\.cert_file: .*not a PEM file/);
  });

  it('asks node:tls for client certificates when client_auth is set', () => {
    const pair = generateSelfSignedCertificate();
    const caFile = path.join(directory, 'ca.pem');
    writeFileSync(caFile, pair.certPem);
    const options = nodeTlsServerOptions({ ...TLS_OFF, selfSigned: true, caFile, clientAuth: true }, 'tcp');
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: true, ca: pair.certPem });
    expect(nodeTlsServerOptions({ ...TLS_OFF, selfSigned: true }, 'tcp').requestCert).toBeUndefined();
  });
});
