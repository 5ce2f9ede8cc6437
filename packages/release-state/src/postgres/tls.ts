// TLS for the driver: the files a store URL names (sslrootcert, sslcert, sslkey), read when the
// store opens with the package's one safe reader (a FIFO, a device or a huge file is an error
// naming the parameter, never a hang), and the options every mode but `disable` verifies with.
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { currentUid } from '../shared/account';
import { stateError, type StateError } from '../shared/errors';
import { FileReadError, readFileSafelySync } from '../shared/read-file';
import { urlSetting, type PgTarget } from './url';

/** The PEM text of the files the URL names; undefined where it names none (or sslrootcert=system). */
export interface TlsFiles {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

/** A CA bundle of every public CA is about 200 KB; a certificate or key file is never near this. */
const MAX_PEM_BYTES = 4 * 1024 * 1024;

/** Reads the URL's certificate and key files; throws STATE_INVALID_INPUT naming the parameter. */
export function readTlsFiles(target: PgTarget): TlsFiles {
  const { sslrootcert, sslcert, sslkey } = target.sslFiles;
  const key = sslkey === undefined ? undefined : pemFile(target, 'sslkey', sslkey, 'the client certificate key');
  if (sslkey !== undefined) checkKeyMode(target, sslkey);
  return {
    ca:
      sslrootcert === undefined || sslrootcert === 'system'
        ? undefined
        : pemFile(target, 'sslrootcert', sslrootcert, 'the CA certificate'),
    cert: sslcert === undefined ? undefined : pemFile(target, 'sslcert', sslcert, 'the client certificate'),
    key,
  };
}

function pemFile(target: PgTarget, parameter: string, file: string, what: string): string {
  const fix = `point ${parameter} at the PEM file of ${what}`;
  let bytes: Buffer;
  try {
    bytes = readFileSafelySync(file, { maxBytes: MAX_PEM_BYTES });
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw fileError(target, parameter, `${file} ${error.what}`, fix, error.errno);
  }
  const text = bytes.toString('utf8');
  // Never quoted: a slip such as sslkey=/etc/shadow must not print the file.
  if (!text.includes('-----BEGIN ')) {
    throw fileError(target, parameter, `${file} is not a PEM file (no -----BEGIN line)`, fix);
  }
  return text;
}

/** As libpq: a key that others can read is refused (0600 for its owner; 0640 when root owns it). */
function checkKeyMode(target: PgTarget, file: string): void {
  const stats = statSync(file);
  const mode = stats.mode & 0o777;
  const allowed = stats.uid === 0 && stats.uid !== currentUid() ? 0o640 : 0o600;
  if ((mode & ~allowed) !== 0) {
    throw fileError(
      target,
      'sslkey',
      `${file} has mode 0${mode.toString(8)}: others can read the private key`,
      `chmod ${allowed === 0o600 ? '600' : '640'} ${file}`,
    );
  }
}

function fileError(target: PgTarget, parameter: string, happened: string, fix: string, errno?: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: target.location,
    reason: 'bad-url',
    happened: `${parameter} of the store URL ${target.location}: ${happened}`,
    changed: 'Nothing was opened, contacted or changed',
    fix: `Fix: ${fix}, in ${urlSetting(target.source)}`,
    details: { field: parameter, ...(errno === undefined ? {} : { errno }) },
  });
}

export type TlsOptions =
  | false
  | {
      rejectUnauthorized: true;
      ca?: string;
      cert?: string;
      key?: string;
      servername?: string;
      checkServerIdentity?: () => undefined;
    };

/** TLS options for the driver: every mode but `disable` verifies the certificate chain. */
export function tlsOptions(target: PgTarget, files: TlsFiles): TlsOptions {
  if (target.sslMode === 'disable') return false;
  const options: Exclude<TlsOptions, false> = { rejectUnauthorized: true };
  if (files.ca !== undefined) options.ca = files.ca;
  if (files.cert !== undefined) options.cert = files.cert;
  if (files.key !== undefined) options.key = files.key;
  if (isIP(target.host) === 0 && !target.host.startsWith('/')) options.servername = target.host;
  // verify-ca: the chain must lead to a trusted CA, the name may differ (as in libpq).
  if (target.sslMode === 'verify-ca') options.checkServerIdentity = () => undefined;
  return options;
}
