// The PostgreSQL store behind PgBouncer in transaction mode, as managed PostgreSQL is reached:
// consecutive transactions of one client connection run on whichever server connection is free,
// startup parameters PgBouncer cannot track are refused, and prepared statements are unknown to
// it (default settings, test/support/pgbouncer.ts). Many processes (scenarios.ts, as run directly
// in processes.spec.ts), timeouts set per transaction, and refusals diagnosed as refusals.
import { inspect } from 'node:util';
import { Client } from 'pg';
import { openReleaseStore } from '../../src/open';
import type { ReleaseState } from '../../src/shared/release-state';
import { isConnectionFailure, toStateError } from '../../src/postgres/driver';
import { parsePostgresUrl } from '../../src/postgres/url';
import { failure } from '../expect-state-error';
import { PG_PASSWORD } from '../support/pg-server';
import { describeWithPgBouncer, usePgBouncer } from '../support/pgbouncer';
import { usePostgres } from '../support/use-postgres';
import {
  distinctClaimsAreAllKept,
  firstStartsMigrateOnce,
  incrementsAreNeverLost,
  killedLeaseIsTakenOverOnce,
  racersMakeOneWinnerPerKey,
} from './scenarios';

const WRONG = 'Wr0ng-Passw0rd-77';
const SHA = (n: number) => n.toString(16).padStart(40, '0');

/** Every way an error can reach a person or a log, none of which may hold a secret. */
function expectNoSecret(error: unknown, ...secrets: string[]): void {
  const { stack, cause } = error as Error;
  const views = [String(error), JSON.stringify(error), inspect(error, { depth: 10 }), stack ?? ''];
  views.push(inspect(cause, { depth: 10 }));
  for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
}

async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const value = await promise;
  return [value, Date.now() - start];
}

describeWithPgBouncer('PostgreSQL store through PgBouncer in transaction mode', () => {
  const pg = usePostgres();
  const pool = usePgBouncer(() => pg.server, 'transaction');
  let serial = 0;
  const fresh = () => {
    const schema = `bouncer_${++serial}`;
    return { schema, url: pool.bouncer.url({ schema }), admin: pg.admin };
  };

  describe('across processes', () => {
    it('4 processes × 500 distinct claims keep all 2,000', async () => {
      await distinctClaimsAreAllKept(fresh(), 4, 500);
    });

    it('4 processes racing on the same 300 keys make exactly 300 winners, each the stored holder', async () => {
      await racersMakeOneWinnerPerKey(fresh(), 4, 300);
    });

    it('leases: none taken early; a SIGKILLed holder is taken over exactly once; none after completion', async () => {
      await killedLeaseIsTakenOverOnce(fresh());
    });

    it('updateState from 4 processes: 200 increments, fn called once each', async () => {
      await incrementsAreNeverLost(fresh(), 4, 50);
    });

    it('8 simultaneous first starts: migrations applied once under a transaction-scoped lock', async () => {
      await firstStartsMigrateOnce(fresh(), 8);
    });
  });

  it('the lock timeout is set per transaction: a held row lock gives STATE_LOCK_TIMEOUT, fn never called', async () => {
    const { schema, url } = fresh();
    const store = await openReleaseStore({ url, lockTimeoutMs: 300 });
    const holder = await pg.admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT body FROM "${schema}".release_state FOR UPDATE`);
      let calls = 0;
      const next = (s: ReleaseState) => (calls++, { ...s, production_sha_current: SHA(3) });
      const error = await failure(store.updateState(next));
      expect(error.code).toBe('STATE_LOCK_TIMEOUT');
      expect(error.details).toMatchObject({ reason: 'lock-timeout', effect: 'none' });
      expect(calls).toBe(0);
      await holder.query('ROLLBACK');
      expect((await store.updateState(next)).production_sha_current).toBe(SHA(3));
      expect(calls).toBe(1);
    } finally {
      holder.release();
      await store.close();
    }
  });

  describe('refusals are diagnosed as refusals, never as "cannot be reached"', () => {
    const saved = process.env['PGOPTIONS'];
    afterEach(() => {
      if (saved === undefined) delete process.env['PGOPTIONS'];
      else process.env['PGOPTIONS'] = saved;
    });

    it('PGOPTIONS in the environment: the refused parameter is named, with the variable and the fix', async () => {
      process.env['PGOPTIONS'] = '-c statement_timeout=5000';
      const [error, ms] = await timed(failure(openReleaseStore({ url: fresh().url, retryMs: 10_000 })));
      expect(error.code).toBe('STATE_UNAVAILABLE');
      expect(error.details).toMatchObject({ reason: 'refused-parameter', field: 'options', effect: 'none' });
      expect(error.message).toContain('was reached and refused the startup parameter options');
      expect(error.message).toContain('(from PGOPTIONS in the environment)');
      expect(error.message).toContain('Unset PGOPTIONS in the environment of booty');
      expect(error.message).toContain('ignore_startup_parameters = options');
      expect(error.message).not.toContain('cannot be reached');
      // A refusal is not retried for retryMs: a retry cannot mend it.
      expect(ms).toBeLessThan(5_000);
      expectNoSecret(error, PG_PASSWORD);
    });

    it('any parameter PgBouncer refuses (statement_timeout, as the driver sent it) is named with the fix', async () => {
      const url = pool.bouncer.url();
      const client = new Client({ connectionString: url, statement_timeout: 5000 });
      const refused = await client.connect().then(
        () => null,
        (error: unknown) => error,
      );
      await client.end().catch(() => undefined);
      expect(refused).toMatchObject({ code: '08P01', message: 'unsupported startup parameter: statement_timeout' });
      expect(isConnectionFailure(refused)).toBe(false);
      const parsed = parsePostgresUrl(url);
      const target = { ...parsed, user: parsed.user ?? '', database: parsed.database ?? '', passwordFrom: 'the URL' };
      const error = toStateError(refused, { target, operation: 'opening the store', effect: 'none' });
      expect(error.details).toMatchObject({ reason: 'refused-parameter', field: 'statement_timeout' });
      expect(error.message).toContain('refused the startup parameter statement_timeout');
      expect(error.message).toContain('ignore_startup_parameters = statement_timeout');
      expectNoSecret(error, PG_PASSWORD);
    });

    it('a wrong password is a refused login (auth), at once, with no password in any view of the error', async () => {
      const url = pool.bouncer.url({ schema: 'auth' }, { password: WRONG });
      const [error, ms] = await timed(failure(openReleaseStore({ url, retryMs: 10_000 })));
      expect(error.code).toBe('STATE_UNAVAILABLE');
      expect(error.details).toMatchObject({ reason: 'auth', effect: 'none' });
      expect(error.message).toContain('refused the login of user booty_admin');
      expect(error.message).toContain('auth_file');
      expect(error.message).not.toContain('cannot be reached');
      expect(ms).toBeLessThan(5_000);
      expectNoSecret(error, WRONG, PG_PASSWORD);
    });

    it('a database the server does not have is named as such, not retried: a store that is not there (exit 2)', async () => {
      const url = pool.bouncer.url({}, { database: 'no_such_db' });
      const [error, ms] = await timed(failure(openReleaseStore({ url, retryMs: 10_000 })));
      expect(error.code).toBe('STATE_INVALID_INPUT');
      expect(error.details).toMatchObject({ reason: 'missing', effect: 'none', field: 'database' });
      expect(error.message).toContain('was reached and has no database no_such_db');
      expect(error.message).toContain('no_such_db');
      expect(ms).toBeLessThan(5_000);
      expectNoSecret(error, PG_PASSWORD);
    });
  });
});
