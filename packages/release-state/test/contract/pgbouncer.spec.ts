// The store contract on PostgreSQL behind PgBouncer (test/support/pgbouncer.ts), as managed
// PostgreSQL is reached: in transaction mode, where consecutive transactions of one client
// connection may run on different server connections, and in session mode. PgBouncer keeps its
// default settings: it refuses startup parameters it cannot track and knows no prepared statements.
import { describeWithPgBouncer, usePgBouncer } from '../support/pgbouncer';
import { postgresContract } from '../support/postgres-contract';
import { usePostgres } from '../support/use-postgres';
import { describeStoreContract } from './suite';

describeWithPgBouncer('PostgreSQL behind PgBouncer', () => {
  const pg = usePostgres();
  for (const mode of ['transaction', 'session'] as const) {
    describe(`${mode} pooling`, () => {
      const pool = usePgBouncer(() => pg.server, mode);
      const urlOf = (schema: string) => pool.bouncer.url({ schema });
      describeStoreContract(`postgres via PgBouncer, ${mode} mode`, postgresContract(pg, urlOf, mode));
    });
  }
});
