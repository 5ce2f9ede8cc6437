// The README's blocks about the store ("The store", "When a deploy is stuck"), run as written: see
// readme.spec.ts.
import { openReleaseStore } from '@booty/release-state';
import { block } from './readme/blocks';
import { expectStatuses, expectTranscript, sandbox, storeSandbox } from './readme/harness';
import { claimsAt, damagedAt, GOVERNOR_ON, SHA, WEB, write } from './readme/world';
import { withLibraryStore } from './state-fixture';

/** Runs the README's transcript that starts with `start` on a store that `arrange` made. */
async function expectStoreTranscript(start: string, arrange: (stateDir: string) => Promise<void>): Promise<void> {
  const world = storeSandbox();
  await arrange(world.stateDir);
  await expectTranscript(block('console', start), world);
}

describe('README.md of @booty/cli, run as written', () => {
  it('booty state check: each damaged file with its repair, nothing changed', () =>
    expectStoreTranscript('$ booty state check', damagedAt));

  it('booty state reset release, then deliveries: each repaired, the damaged bytes kept', () =>
    expectStoreTranscript('$ booty state reset release', damagedAt));

  it('booty state claims: newest first, with their standing', () =>
    expectStoreTranscript('$ booty state claims --repo', claimsAt));

  it('booty state claims --standing expired: the claims whose worker died', async () => {
    const world = storeSandbox();
    const started = new Date(Date.now() - 2 * 60_000);
    const store = await openReleaseStore({ stateDir: world.stateDir, now: () => started });
    try {
      const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
      await store.deliveries.claim({ repo: WEB, headSha: SHA.leased, deliveryId, leaseMs: 60_000 });
    } finally {
      await store.close();
    }
    const final = { repo: WEB, headSha: SHA.final, deliveryId: 'd' };
    await withLibraryStore(world.stateDir, (other) => other.deliveries.claim(final));
    await expectTranscript(block('console', '$ booty state claims --standing expired'), world);
  });

  it("booty state show --repo: one repository's own release state", async () => {
    const world = storeSandbox();
    await withLibraryStore(world.stateDir, (store) =>
      store.updateState(
        (state) => ({
          ...state,
          production_sha_current: SHA.leased,
          last_deploy_attempt_sha: SHA.leased,
          last_deploy_time: new Date().toISOString(),
          last_deploy_result: 'success',
        }),
        { repo: WEB },
      ),
    );
    await expectTranscript(block('console', '$ booty state show --repo octo-org/web'), world);
  });

  it('booty state claim forget: a running lease is refused, naming its holder and its end', () =>
    expectStoreTranscript('$ booty state claim forget octo-org/web', claimsAt));

  it('when a deploy is stuck: find the claim, look at it, forget it', async () => {
    const world = storeSandbox();
    await withLibraryStore(world.stateDir, async (store) => {
      await store.deliveries.claim({ repo: WEB, headSha: SHA.leased, deliveryId: '72d3162e', leaseMs: 300_000 });
      await store.deliveries.complete({ repo: WEB, headSha: SHA.leased, deliveryId: '72d3162e', outcome: 'held' });
    });
    await expectStatuses(block('sh', 'booty state claims --repo octo-org/web'), world, [0, 0, 0]);
  });

  it('when a deploy is stuck: scan, repair each part, scan again (healthy: exit 0)', async () => {
    const world = storeSandbox();
    await damagedAt(world.stateDir);
    await expectStatuses(block('sh', 'booty state check '), world, [1, 0, 0, 0]);
  });

  it('when an override does not seem to apply: where each value comes from', async () => {
    const world = sandbox();
    write(world.repo, { '.booty.yml': GOVERNOR_ON });
    await expectStatuses(block('sh', 'booty config show '), world, [0, 0]);
  });
});
