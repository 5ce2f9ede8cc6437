// The store contract on PostgreSQL: a real throwaway server (test/support/pg-server.ts), one
// fresh schema per test (test/support/postgres-contract.ts). The same suite runs through
// PgBouncer in pgbouncer.spec.ts.
import { describeWithPg } from '../support/pg-server';
import { postgresContract } from '../support/postgres-contract';
import { usePostgres } from '../support/use-postgres';
import { describeStoreContract } from './suite';

describeWithPg('PostgreSQL', () => {
  const pg = usePostgres();
  describeStoreContract(
    'postgres',
    postgresContract(pg, (schema) => pg.server.url({ schema }), 'direct'),
  );
});
