// Two workers of examples/webhook-worker on one PostgreSQL store (scenarios.ts), a throwaway server
// from packages/release-state/test/support/pg-server.ts.
import {
  describeWithPg,
  startPgServer,
  type PgServer,
} from '../../../../packages/release-state/test/support/pg-server';
import { usingWorkerSite } from '../support/webhook-worker';
import { scenarios } from './scenarios';

jest.setTimeout(120_000);

const site = usingWorkerSite('webhook-postgres');

describeWithPg('two workers on one PostgreSQL store', () => {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await startPgServer();
  }, 120_000);
  afterAll(async () => {
    for (const worker of site.workers) worker.kill('SIGKILL');
    await server?.stop();
  });
  scenarios(site, () => ({ RELEASE_GOVERNOR_STORE_URL: server?.url({ schema: 'worker' }) ?? '' }));
});
