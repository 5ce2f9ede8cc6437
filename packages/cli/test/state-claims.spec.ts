import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, expectNoStackTrace, tempDir } from './booty';
import { corruptEntry, entryFileOf, OTHER_REPO, REPO, sha, snapshotDir, withLibraryStore } from './state-fixture';

const HOUR = 60 * 60 * 1000;

/**
 * A store with, oldest first: a final claim (sha 1), a completed leased claim with an outcome
 * (sha 2), a claim of another repository (sha 100), and a claim still under lease (sha 3).
 */
async function storeWithHistory(): Promise<string> {
  const stateDir = path.join(tempDir('booty-claims-'), 'state');
  const pause = () => new Promise((resolve) => setTimeout(resolve, 15));
  await withLibraryStore(stateDir, async (store) => {
    await store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId: 'delivery-1' });
    await pause();
    await store.deliveries.claim({ repo: REPO, headSha: sha(2), deliveryId: 'delivery-2', leaseMs: HOUR });
    await store.deliveries.complete({ repo: REPO, headSha: sha(2), deliveryId: 'delivery-2', outcome: 'held' });
    await pause();
    await store.deliveries.claim({ repo: OTHER_REPO, headSha: sha(100), deliveryId: 'delivery-other' });
    await pause();
    await store.deliveries.claim({ repo: REPO, headSha: sha(3), deliveryId: 'delivery-3', leaseMs: HOUR });
  });
  return stateDir;
}

describe('booty state claims', () => {
  test('lists claims newest first with standing, attempt and outcome; filters by repository; limits', async () => {
    const stateDir = await storeWithHistory();
    const before = snapshotDir(stateDir);

    const all = JSON.parse((await booty(['state', 'claims', '--state-dir', stateDir, '--json'])).stdout);
    expect(all.ok).toBe(true);
    expect(all.store).toEqual({ kind: 'file', location: stateDir });
    expect(all.claims.map((claim: { headSha: string }) => claim.headSha)).toEqual([sha(3), sha(100), sha(2), sha(1)]);
    expect(all.claims[0]).toMatchObject({
      repo: REPO,
      headSha: sha(3),
      deliveryId: 'delivery-3',
      attempt: 1,
      standing: 'leased',
      completedAt: null,
      outcome: null,
    });
    expect(typeof all.claims[0].leaseExpiresAt).toBe('string');
    expect(all.claims[2]).toMatchObject({ repo: REPO, headSha: sha(2), standing: 'completed', outcome: 'held' });
    expect(all.claims[3]).toMatchObject({ repo: REPO, headSha: sha(1), standing: 'final', leaseExpiresAt: null });

    const filtered = JSON.parse(
      (await booty(['state', 'claims', '--state-dir', stateDir, '--repo', REPO, '--limit', '2', '--json'])).stdout,
    );
    expect(filtered.claims.map((claim: { headSha: string }) => claim.headSha)).toEqual([sha(3), sha(2)]);

    const human = await booty(['state', 'claims', '--state-dir', stateDir, '--repo', REPO]);
    expect(human.status).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`3 claims for ${REPO}, newest first, in the file store ${stateDir}:`);
    expect(lines[1]).toMatch(/^RECORDED +REPOSITORY +COMMIT +STANDING +ATTEMPT +OUTCOME +DELIVERY$/);
    expect(lines[2]).toContain(`${REPO}  ${sha(3)}  leased until `);
    expect(lines[3]).toMatch(new RegExp(`${sha(2)}  completed \\S+ +1 +held +delivery-2$`));
    expect(lines[4]).toMatch(new RegExp(`${sha(1)}  final \\(no lease\\) +1 +- +delivery-1$`));
    // Columns line up: every row's COMMIT starts where the header's does.
    const column = (lines[1] as string).indexOf('COMMIT');
    expect([lines[2], lines[3], lines[4]].map((line, index) => (line as string).indexOf(sha(3 - index)))).toEqual([
      column,
      column,
      column,
    ]);
    expect(snapshotDir(stateDir)).toEqual(before);
  });

  test('--standing lists only the claims that stand so: expired ones are those a sweeper retakes', async () => {
    const stateDir = await storeWithHistory();
    await withLibraryStore(stateDir, async (store) => {
      await store.deliveries.claim({ repo: OTHER_REPO, headSha: sha(101), deliveryId: 'delivery-died', leaseMs: 1 });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const of = async (standing: string, more: string[] = []) => {
      const args = ['state', 'claims', '--state-dir', stateDir, '--standing', standing, '--json', ...more];
      const listed = await booty(args);
      return JSON.parse(listed.stdout);
    };
    const expired = await of('expired');
    expect(expired).toMatchObject({ ok: true, standing: 'expired', damaged: 0 });
    expect(expired.claims.map((claim: { deliveryId: string }) => claim.deliveryId)).toEqual(['delivery-died']);
    expect(expired.claims[0]).toMatchObject({ repo: OTHER_REPO, headSha: sha(101), standing: 'expired' });
    expect((await of('leased')).claims.map((claim: { headSha: string }) => claim.headSha)).toEqual([sha(3)]);
    expect((await of('completed')).claims.map((claim: { headSha: string }) => claim.headSha)).toEqual([sha(2)]);
    expect((await of('final')).claims.map((claim: { headSha: string }) => claim.headSha)).toEqual([sha(100), sha(1)]);
    expect((await of('expired', ['--repo', REPO])).claims).toEqual([]);

    const human = await booty(['state', 'claims', '--state-dir', stateDir, '--standing', 'expired']);
    expect(human.stdout.split('\n')[0]).toBe(`1 expired claim, newest first, in the file store ${stateDir}:`);
    expect(human.stdout).toContain('lease ended');
    const none = await booty(['state', 'claims', '--state-dir', stateDir, '--standing', 'expired', '--repo', REPO]);
    expect(none.stdout).toBe(`No expired claims for ${REPO} in the file store ${stateDir}.\n`);
    const bad = await booty(['state', 'claims', '--state-dir', stateDir, '--standing', 'running']);
    const told = expect.stringContaining('--standing takes one of leased, expired, completed, final');
    expect([bad.status, bad.stderr]).toEqual([2, told]);
  });

  test('no claims, and bad --limit values', async () => {
    const stateDir = path.join(tempDir(), 'state');
    await withLibraryStore(stateDir, async () => undefined);
    const none = await booty(['state', 'claims', '--state-dir', stateDir, '--repo', REPO]);
    expect(none.status).toBe(0);
    expect(none.stdout).toBe(`No claims for ${REPO} in the file store ${stateDir}.\n`);
    for (const limit of ['0', 'ten', '10001', '1.5', '']) {
      const bad = await booty(['state', 'claims', '--state-dir', stateDir, '--limit', limit]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--limit takes a whole number from 1 to 10000');
    }
  });

  test('a damaged entry cannot be listed, and the listing says so instead of leaving it out silently', async () => {
    const stateDir = await storeWithHistory();
    corruptEntry(stateDir, sha(1));
    const human = await booty(['state', 'claims', '--state-dir', stateDir]);
    expect(human.status).toBe(0);
    expect(human.stderr).toBe('1 damaged ledger entry cannot be listed: run `booty state check`\n');
    expect(human.stdout).not.toContain(sha(1));
    const json = JSON.parse((await booty(['state', 'claims', '--state-dir', stateDir, '--json'])).stdout);
    expect(json).toMatchObject({ ok: true, damaged: 1 });
    expect(json.claims).toHaveLength(3);
  });

  test('outside text in a delivery id and an outcome is shown escaped, in the table and in show', async () => {
    const stateDir = path.join(tempDir(), 'state');
    // A delivery id and an outcome as a webhook sender could make them: a bidi override and a C1 control.
    const deliveryId = 'd-\u202eX\u009bY';
    await withLibraryStore(stateDir, async (store) => {
      await store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId, leaseMs: HOUR });
      await store.deliveries.complete({ repo: REPO, headSha: sha(1), deliveryId, outcome: 'held\u202e' });
    });
    for (const args of [
      ['state', 'claims'],
      ['state', 'claim', 'show', REPO, sha(1)],
    ]) {
      const result = await booty([...args, '--state-dir', stateDir]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('d-\\u{202e}X\\x9bY');
      expect(result.stdout).toContain('held\\u{202e}');
      expect(result.stdout).not.toMatch(/[\u0080-\u009f\u202e]/);
    }
  });
});

describe('booty state claim show / forget', () => {
  test('show: one claim in full (exit 0); a commit with no claim is exit 1 saying so', async () => {
    const stateDir = await storeWithHistory();
    const shown = await booty(['state', 'claim', 'show', REPO, sha(2), '--state-dir', stateDir]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`Claim ${REPO}:${sha(2)}\n`);
    expect(shown.stdout).toMatch(/^ {2}delivery +delivery-2$/m);
    expect(shown.stdout).toMatch(/^ {2}standing +completed /m);
    expect(shown.stdout).toMatch(/^ {2}outcome +held$/m);
    expect(shown.stdout).toContain(`booty state claim forget ${REPO} ${sha(2)}`);

    const json = JSON.parse(
      (await booty(['state', 'claim', 'show', REPO, sha(3), '--state-dir', stateDir, '--json'])).stdout,
    );
    expect(json.claim).toMatchObject({ key: `${REPO}:${sha(3)}`, standing: 'leased', attempt: 1 });

    const missing = await booty(['state', 'claim', 'show', REPO, sha(9), '--state-dir', stateDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`nothing is recorded for ${REPO} at ${sha(9)}`);
    const missingJson = await booty(['state', 'claim', 'show', REPO, sha(9), '--state-dir', stateDir, '--json']);
    expect(missingJson.status).toBe(1);
    expect(JSON.parse(missingJson.stdout)).toMatchObject({ ok: true, claim: null });
  });

  test('a lease that ended without completing shows as expired: the next delivery takes it over', async () => {
    const stateDir = path.join(tempDir(), 'state');
    await withLibraryStore(stateDir, async (store) => {
      await store.deliveries.claim({ repo: REPO, headSha: sha(4), deliveryId: 'died', leaseMs: 1 });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const json = JSON.parse(
      (await booty(['state', 'claim', 'show', REPO, sha(4), '--state-dir', stateDir, '--json'])).stdout,
    );
    expect(json.claim).toMatchObject({ standing: 'expired', completedAt: null, attempt: 1 });
    const human = await booty(['state', 'claim', 'show', REPO, sha(4), '--state-dir', stateDir]);
    expect(human.stdout).toMatch(/^ {2}standing +lease ended \S+ \(the next delivery takes it over\)$/m);
  });

  test('a malformed repository or SHA is exit 2 from the library rule, with no stack trace', async () => {
    const stateDir = await storeWithHistory();
    for (const args of [
      ['not a repo', sha(1)],
      [REPO, 'abc; rm -rf /'],
    ]) {
      const result = await booty(['state', 'claim', 'show', ...args, '--state-dir', stateDir]);
      expect(result.status).toBe(2);
      expectNoStackTrace(result);
    }
  });

  test('forget: a held commit can be claimed again afterwards; forgetting twice is exit 1, nothing changed', async () => {
    const stateDir = await storeWithHistory();
    const key = { repo: REPO, headSha: sha(2) };
    await withLibraryStore(stateDir, async (store) => {
      expect((await store.deliveries.claim({ ...key, deliveryId: 'redelivery' })).claimed).toBe(false);
    });

    const forgot = await booty(['state', 'claim', 'forget', REPO, sha(2), '--state-dir', stateDir]);
    expect(forgot.stderr).toBe('');
    expect(forgot.status).toBe(0);
    expect(forgot.stdout).toContain(`forgotten: the claim on ${REPO} at ${sha(2)}`);

    const before = snapshotDir(stateDir);
    const again = await booty(['state', 'claim', 'forget', REPO, sha(2), '--state-dir', stateDir, '--json']);
    expect(again.status).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, forgotten: false, repo: REPO, headSha: sha(2) });
    expect(snapshotDir(stateDir)).toEqual(before);

    await withLibraryStore(stateDir, async (store) => {
      const result = await store.deliveries.claim({ ...key, deliveryId: 'after-approval' });
      expect(result.claimed).toBe(true);
      expect(result.record.deliveryId).toBe('after-approval');
      // The other claims were not touched.
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(1) })).toBe(true);
      expect(await store.deliveries.has({ repo: OTHER_REPO, headSha: sha(100) })).toBe(true);
    });
  });
});

describe('booty state claim forget: a running lease, and --force', () => {
  test('refused without --force (exit 1, naming holder and lease end, nothing changed); forced, it goes', async () => {
    const stateDir = await storeWithHistory();
    const held = await withLibraryStore(stateDir, (store) => store.deliveries.get({ repo: REPO, headSha: sha(3) }));
    const until = held?.leaseExpiresAt as string;
    const before = snapshotDir(stateDir);

    const refused = await booty(['state', 'claim', 'forget', REPO, sha(3), '--state-dir', stateDir]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`is leased to delivery "delivery-3" (attempt 1) until ${until}`);
    expect(refused.stderr).toContain(`\`booty state claim forget ${REPO} ${sha(3)} --force\``);
    expect(refused.stderr).toContain('(STATE_LEASE_HELD)');
    const json = await booty(['state', 'claim', 'forget', REPO, sha(3), '--state-dir', stateDir, '--json']);
    expect(json.status).toBe(1);
    const details = { reason: 'lease-held', deliveryId: 'delivery-3', attempt: 1, leaseExpiresAt: until };
    const error = { code: 'STATE_LEASE_HELD', details };
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error });
    expect(snapshotDir(stateDir)).toEqual(before);

    const forced = await booty(['state', 'claim', 'forget', REPO, sha(3), '--state-dir', stateDir, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`forgotten: the claim on ${REPO} at ${sha(3)}`);
    expect(forced.stdout).toContain(`held by delivery delivery-3 (attempt 1) until ${until}, was still running`);
    await withLibraryStore(stateDir, async (store) => {
      const lost = store.deliveries.complete({ repo: REPO, headSha: sha(3), deliveryId: 'delivery-3' });
      await expect(lost).rejects.toMatchObject({ code: 'STATE_LEASE_LOST' });
    });
  });

  test('a completed claim needs no --force; --force on it says nothing of a lease', async () => {
    const stateDir = await storeWithHistory();
    const args = ['state', 'claim', 'forget', REPO, sha(2), '--state-dir', stateDir, '--force', '--json'];
    const forced = await booty(args);
    expect(forced.status).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ ok: true, forgotten: true, forcedLease: null });
  });
});

describe('one repository in any case', () => {
  test('claims, claim show and claim forget find octo-org/web as OCTO-ORG/WEB', async () => {
    const stateDir = await storeWithHistory();
    const upper = REPO.toUpperCase();
    const listing = await booty(['state', 'claims', '--repo', upper, '--state-dir', stateDir, '--json']);
    const listed = JSON.parse(listing.stdout);
    expect(listed.claims.map((claim: { headSha: string }) => claim.headSha)).toEqual([sha(3), sha(2), sha(1)]);
    const shown = await booty(['state', 'claim', 'show', upper, sha(1), '--state-dir', stateDir, '--json']);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout).claim).toMatchObject({ repo: REPO, headSha: sha(1), deliveryId: 'delivery-1' });
    await withLibraryStore(stateDir, async (store) => {
      const second = await store.deliveries.claim({ repo: upper, headSha: sha(1), deliveryId: 'second' });
      expect(second.claimed).toBe(false);
    });
    const forgot = await booty(['state', 'claim', 'forget', upper, sha(1), '--state-dir', stateDir]);
    expect(forgot.status).toBe(0);
    const gone = await booty(['state', 'claim', 'show', REPO, sha(1), '--state-dir', stateDir]);
    expect(gone.status).toBe(1);
  });
});

describe('booty state prune', () => {
  test('removes claims past the retention, keeps the rest, and says how many', async () => {
    const stateDir = path.join(tempDir('booty-prune-'), 'state');
    await withLibraryStore(stateDir, async (store) => {
      for (const n of [1, 2, 3])
        await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    // A claim recorded a year ago, as if the host had been off all that time.
    const file = entryFileOf(stateDir, sha(1));
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    entry.recordedAt = new Date(Date.now() - 365 * 24 * HOUR).toISOString();
    writeFileSync(file, `${JSON.stringify(entry)}\n`);

    const pruned = await booty(['state', 'prune', '--state-dir', stateDir, '--json']);
    expect(pruned.stderr).toBe('');
    expect(pruned.status).toBe(0);
    const limit = { maxDeliveries: 10_000, windowDays: 4, inWindow: 2, exceeded: false };
    const store = { kind: 'file', location: stateDir };
    expect(JSON.parse(pruned.stdout)).toEqual({ ok: true, store, removed: 1, kept: 2, limit });
    const human = await booty(['state', 'prune', '--state-dir', stateDir]);
    expect(human.stdout).toBe(`pruned: 0 removed, 2 kept in the file store ${stateDir}\n`);
    await withLibraryStore(stateDir, async (store) => {
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(1) })).toBe(false);
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(2) })).toBe(true);
    });
  });
});
