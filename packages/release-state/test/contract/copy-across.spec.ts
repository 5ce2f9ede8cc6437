// Moving between backends: a file store copied into PostgreSQL and back keeps every claim field
// and release.json, unknown fields included; a non-empty target is refused unless `replace`.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyStore } from '../../src/copy';
import { serializeEntry, spelledEntryName } from '../../src/file/ledger/entry';
import { openFileStore } from '../../src/file/store';
import { openReleaseStore } from '../../src/open';
import type { ReleaseStore } from '../../src/shared/contract';
import type { DeliveryRecord } from '../../src/shared/contract-deliveries';
import { failure } from '../expect-state-error';
import { describeWithPg, startPgServer, type PgServer } from '../support/pg-server';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const byKey = (records: DeliveryRecord[]) => [...records].sort((a, b) => (a.key < b.key ? -1 : 1));

describeWithPg('copyStore between the file store and PostgreSQL', () => {
  let server: PgServer;
  let dir: string;
  const opened: ReleaseStore[] = [];
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-copy-'));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const track = <T extends ReleaseStore>(store: T): T => {
    opened.push(store);
    return store;
  };

  it('file → PostgreSQL → file keeps every claim field and release.json', async () => {
    const source = track(await openFileStore({ stateDir: path.join(dir, 'source') }));
    await source.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'plain' });
    await source.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'leased', leaseMs: 3_600_000 });
    await source.deliveries.claim({ repo: 'other/repo', headSha: SHA(3), deliveryId: 'done', leaseMs: 3_600_000 });
    await source.deliveries.complete({ repo: 'other/repo', headSha: SHA(3), deliveryId: 'done', outcome: 'held' });
    // A Python entry (no time) comes along too.
    await fsp.writeFile(
      path.join(dir, 'source', 'delivery_ids.json'),
      JSON.stringify({ [`octo/app:${SHA(4)}`]: 'from-python' }),
    );
    await source.updateState((s) => ({
      ...s,
      production_sha_current: SHA(9),
      last_deploy_result: 'success',
      operator_notes: { kept: [1, 'two'] },
    }));
    const before = await source.snapshot();
    expect(before.deliveries).toHaveLength(4);

    const pg = track(await openReleaseStore({ url: server.url({ schema: `copy_${process.pid}_a` }) }));
    const to = { kind: 'postgres', location: pg.location };
    expect(await copyStore(source, pg)).toEqual({ deliveries: 4, repositories: 0, to });
    const back = track(await openFileStore({ stateDir: path.join(dir, 'back') }));
    await copyStore(pg, back);

    const after = await back.snapshot();
    expect(after.state).toEqual(before.state);
    expect(byKey(after.deliveries)).toEqual(byKey(before.deliveries));
    expect(await back.check()).toMatchObject({ healthy: true, problems: [], deliveries: 4 });
    // The copies behave as the original: held claims stay held, the lease holder can complete.
    expect((await back.deliveries.claim({ repo: 'octo/app', headSha: SHA(4), deliveryId: 'x' })).claimed).toBe(false);
    expect(
      await pg.deliveries.complete({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'leased', outcome: 'allowed' }),
    ).toMatchObject({ attempt: 1, outcome: 'allowed' });
  });

  it('refuses a non-empty target on either side unless replace, and changes nothing then', async () => {
    const source = track(await openFileStore({ stateDir: path.join(dir, 'source') }));
    await source.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'one' });
    const pg = track(await openReleaseStore({ url: server.url({ schema: `copy_${process.pid}_b` }) }));
    await pg.deliveries.claim({ repo: 'octo/app', headSha: SHA(7), deliveryId: 'in-the-way' });
    expect((await failure(copyStore(source, pg))).details.reason).toBe('target-not-empty');
    expect(await pg.deliveries.count()).toBe(1);
    await copyStore(source, pg, { replace: true });
    expect((await pg.deliveries.list()).map((r) => r.deliveryId)).toEqual(['one']);

    const target = track(await openFileStore({ stateDir: path.join(dir, 'target') }));
    await target.updateState((s) => ({ ...s, production_sha_previous: SHA(5) }));
    expect((await failure(copyStore(pg, target))).details.reason).toBe('target-not-empty');
    expect((await target.readState()).production_sha_previous).toBe(SHA(5));
    expect(await target.deliveries.count()).toBe(0);
  });

  it('two spellings of one key in an earlier file store copy as one claim, the one kept first', async () => {
    const stateDir = path.join(dir, 'earlier');
    const source = track(await openFileStore({ stateDir }));
    await source.deliveries.claim({ repo: 'octo/other', headSha: SHA(9), deliveryId: 'makes-the-directory' });
    const recordedAt = new Date().toISOString();
    const records = [
      { key: `octo/app:${SHA(1)}`, deliveryId: 'leased', recordedAt, leaseExpiresAt: '2999-01-01T00:00:00.000Z' },
      { key: `Octo/App:${SHA(1)}`, deliveryId: 'completed', recordedAt, completedAt: recordedAt, outcome: 'allowed' },
    ];
    // Written as the earlier version named them, the bookkeeping without this version's name rule.
    const ledger = path.join(stateDir, 'deliveries');
    for (const record of records) {
      await fsp.writeFile(path.join(ledger, spelledEntryName(record.key)), serializeEntry(record));
    }
    const earlier = { format_version: 1, python_source: 'absent', last_prune: recordedAt };
    await fsp.writeFile(path.join(ledger, '.ledger.json'), JSON.stringify(earlier));
    expect((await source.snapshot()).deliveries).toHaveLength(3);
    const pg = track(await openReleaseStore({ url: server.url({ schema: `copy_${process.pid}_c` }) }));
    await copyStore(source, pg);
    expect(await pg.deliveries.count()).toBe(2);
    const kept = await pg.deliveries.get({ repo: 'octo/app', headSha: SHA(1) });
    expect(kept).toMatchObject({ key: `Octo/App:${SHA(1)}`, deliveryId: 'completed' });
  });

  it('what check() calls healthy, a copy can write into either backend; what it calls damaged, a copy refuses', async () => {
    const source = track(await openFileStore({ stateDir: path.join(dir, 'source') }));
    await source.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'plain' });
    // The first implementation's keys of its own form are kept and copied as they are.
    await fsp.writeFile(
      path.join(dir, 'source', 'delivery_ids.json'),
      JSON.stringify({ 'legacy-key-without-sha': 'from-python' }),
    );
    // Entries a store never writes: a blank delivery id, a time that is not UTC, a long outcome.
    const entry = (n: number, fields: Record<string, unknown>) =>
      fsp.writeFile(
        path.join(dir, 'source', 'deliveries', `octo%2Fapp%3A${SHA(n)}.json`),
        JSON.stringify({
          format_version: 1,
          key: `octo/app:${SHA(n)}`,
          deliveryId: `d${n}`,
          recordedAt: '2026-01-01T00:00:00Z',
          ...fields,
        }),
      );
    await entry(2, { deliveryId: ' ' });
    await entry(3, { recordedAt: '2026-01-01 00:00' });
    await entry(4, { outcome: 'x'.repeat(201) });
    const check = await source.check();
    expect(check).toMatchObject({ healthy: false, deliveries: 2 });
    expect(check.problems.map((problem) => problem.target).sort()).toEqual(
      [2, 3, 4].map((n) => path.join(dir, 'source', 'deliveries', `octo%2Fapp%3A${SHA(n)}.json`)),
    );
    const pg = track(await openReleaseStore({ url: server.url({ schema: `copy_${process.pid}_d` }) }));
    const file = track(await openFileStore({ stateDir: path.join(dir, 'file-target') }));
    for (const target of [pg, file]) {
      expect((await failure(copyStore(source, target))).code).toBe('STATE_CORRUPT');
      expect(await target.deliveries.count()).toBe(0);
    }
    await source.reset('deliveries');
    expect(await source.check()).toMatchObject({ healthy: true, deliveries: 2 });
    for (const target of [pg, file]) {
      expect(await copyStore(source, target)).toMatchObject({ deliveries: 2 });
      expect(await target.check()).toMatchObject({ healthy: true, deliveries: 2 });
    }
  });
});
