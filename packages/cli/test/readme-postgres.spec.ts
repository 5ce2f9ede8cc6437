// The README's blocks that move a store into PostgreSQL, run as written against a throwaway
// server: see readme.spec.ts.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describeWithPg } from '../../release-state/test/support/pg-server';
import { usePostgres } from '../../release-state/test/support/use-postgres';
import { block } from './readme/blocks';
import { expectStatuses, expectTranscript, storeSandbox, type Sandbox } from './readme/harness';
import { claimsAt, numbered } from './readme/world';
import { withLibraryStore } from './state-fixture';

describeWithPg('README.md of @booty/cli, run as written, on PostgreSQL (db.internal: a throwaway server)', () => {
  const pg = usePostgres();

  /** The README's postgres://booty@db.internal/booty, here: a role and a database of that name. */
  function onServer(world: Sandbox): { url: string; as: (text: string) => string } {
    const url = pg.server.url({}, { user: 'booty', password: null, database: 'booty' });
    world.env['PGPASSWORD'] = 'booty-readme';
    return { url, as: (text) => text.replaceAll('postgres://booty@db.internal/booty', url) };
  }

  beforeAll(() => {
    pg.server.psql("CREATE ROLE booty LOGIN PASSWORD 'booty-readme'");
  });

  // Each block starts from an empty database, as on a first move.
  beforeEach(() => {
    pg.server.psql('DROP DATABASE IF EXISTS booty WITH (FORCE)');
    pg.server.psql('CREATE DATABASE booty OWNER booty');
  });

  it('booty state copy --to a PostgreSQL store: every claim and release.json', async () => {
    const world = storeSandbox();
    const server = onServer(world);
    await withLibraryStore(world.stateDir, async (store) => {
      for (let n = 1; n <= 1289; n++) await store.deliveries.claim(numbered(n));
    });
    const transcript = block('console', '$ booty state copy --to postgres://booty@db.internal/booty');
    const asHere = { ...transcript, text: server.as(transcript.text) };
    await expectTranscript(asHere, world);
  }, 300_000);

  it('moving to several hosts: copy, point every host at it, take a backup', async () => {
    const world = storeSandbox();
    const server = onServer(world);
    await claimsAt(world.stateDir);
    mkdirSync(path.join(world.root, 'var', 'backups'), { recursive: true });
    const commands = block('sh', 'booty state copy --to postgres://booty@db.internal/booty');
    const here = server.as(commands.text).replaceAll('/var/backups/', `${path.join(world.root, 'var', 'backups')}/`);
    await expectStatuses({ ...commands, text: here }, world, [0, 0, 0]);
  }, 300_000);
});
