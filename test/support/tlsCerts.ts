/**
 * Certificates made for a test or a bench with Debian's `openssl` (EC P-256, quick): a CA and
 * server certificates it signs — valid, expired, or for another host name — and a second,
 * untrusted CA. Everything lives in a temporary folder removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface KeyAndCert {
  key: string;
  cert: string;
}

export interface CertificateAuthority extends KeyAndCert {
  /** A server certificate signed by this CA. */
  issue(options: ServerCertOptions): KeyAndCert;
}

export interface ServerCertOptions {
  /** DNS names and IP addresses of the subjectAltName (default: localhost and 127.0.0.1). */
  hosts?: string[];
  /** Valid from/until (YYYYMMDDHHMMSSZ); default: from now for 30 days. */
  startDate?: string;
  endDate?: string;
}

export interface CertWorkshop {
  dir: string;
  ca(name: string): CertificateAuthority;
  remove(): void;
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

export function certWorkshop(): CertWorkshop {
  const dir = mkdtempSync(path.join(tmpdir(), 'pospay-certs-'));
  let serial = 0;
  const read = (file: string): string => readFileSync(path.join(dir, file), 'utf8');
  const newKey = (file: string): void =>
    openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file],
      dir,
    );

  return {
    dir,
    ca(name) {
      const safe = name.replace(/[^A-Za-z0-9]/g, '');
      newKey(`${safe}.key`);
      openssl(
        [
          'req',
          '-x509',
          '-new',
          '-key',
          `${safe}.key`,
          '-subj',
          `/CN=${name}`,
          '-days',
          '30',
          '-addext',
          'basicConstraints=critical,CA:TRUE',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
          '-out',
          `${safe}.pem`,
        ],
        dir,
      );
      const caDir = path.join(dir, `${safe}-db`);
      mkdirSync(caDir, { recursive: true });
      writeFileSync(path.join(caDir, 'index.txt'), '');
      writeFileSync(path.join(caDir, 'serial'), '1000\n');
      return {
        key: read(`${safe}.key`),
        cert: read(`${safe}.pem`),
        issue(options) {
          serial += 1;
          const leaf = `${safe}-leaf${serial}`;
          const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
          const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
          writeFileSync(
            path.join(dir, `${leaf}.cnf`),
            [
              '[ ca ]',
              'default_ca = this_ca',
              '[ this_ca ]',
              `database = ${path.join(caDir, 'index.txt')}`,
              `serial = ${path.join(caDir, 'serial')}`,
              `new_certs_dir = ${caDir}`,
              'default_md = sha256',
              'policy = any',
              'unique_subject = no',
              'email_in_dn = no',
              '[ any ]',
              'commonName = supplied',
              '[ leaf ]',
              'basicConstraints = CA:FALSE',
              'keyUsage = critical,digitalSignature',
              'extendedKeyUsage = serverAuth',
              `subjectAltName = ${san}`,
              '',
            ].join('\n'),
          );
          newKey(`${leaf}.key`);
          openssl(
            [
              'req',
              '-new',
              '-key',
              `${leaf}.key`,
              '-subj',
              `/CN=${hosts[0] ?? 'localhost'}`,
              '-out',
              `${leaf}.csr`,
            ],
            dir,
          );
          const dates =
            options.startDate && options.endDate
              ? ['-startdate', options.startDate, '-enddate', options.endDate]
              : ['-days', '30'];
          openssl(
            [
              'ca',
              '-batch',
              '-notext',
              '-config',
              `${leaf}.cnf`,
              '-cert',
              `${safe}.pem`,
              '-keyfile',
              `${safe}.key`,
              '-extensions',
              'leaf',
              '-in',
              `${leaf}.csr`,
              '-out',
              `${leaf}.pem`,
              ...dates,
            ],
            dir,
          );
          return { key: read(`${leaf}.key`), cert: read(`${leaf}.pem`) };
        },
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
