// The per-suite PostgreSQL setup the specs share: one throwaway server (pg-server.ts) for the
// enclosing `describe`, plus an admin pool on it for setup and damage queries. A file of its own
// so that pg-server.ts stays free of the `pg` driver (the benchmarks compile it on the fly).
//
// Use inside `describeWithPg(...)`: `const pg = usePostgres();` then `pg.server.url(...)` and
// `pg.admin.query(...)` in hooks and tests (both are set once the `beforeAll` has run).
import { Pool } from 'pg';
import { startPgServer, type PgServer, type StartOptions } from './pg-server';

export interface PostgresSuite {
  readonly server: PgServer;
  readonly admin: Pool;
}

export function usePostgres(options?: StartOptions): PostgresSuite {
  let server: PgServer | undefined;
  let admin: Pool | undefined;
  beforeAll(async () => {
    server = await startPgServer(options);
    admin = new Pool({ connectionString: server.url(), max: 2 });
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });
  return {
    get server() {
      return server as PgServer;
    },
    get admin() {
      return admin as Pool;
    },
  };
}
