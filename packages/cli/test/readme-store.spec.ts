// The README's blocks about the store ("The store", "When a deploy is stuck"), run as written: see
// readme.spec.ts.
import { openReleaseStore } from '@booty/release-state';
import { block } from './readme/blocks';
import { expectStatuses, expectTranscript, sandbox } from './readme/harness';
import { claimsAt, damagedAt, GOVERNOR_ON, SHA, WEB, write } from './readme/world';
import { withLibraryStore } from './state-fixture';

describe('README.md of @booty/cli, run as written', () => {
  it('booty state check: each damaged file with its repair, nothing changed', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    await damagedAt(world.stateDir);
    await expectTranscript(block('console', '$ booty state check'), world);
  });

  it('booty state reset release, then deliveries: each repaired, the damaged bytes kept', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    await damagedAt(world.stateDir);
    await expectTranscript(block('console', '$ booty state reset release'), world);
  });

  it('booty state claims: newest first, with their standing', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    await claimsAt(world.stateDir);
    await expectTranscript(block('console', '$ booty state claims --repo'), world);
  });

  it('booty state claims --standing expired: the claims whose worker died', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
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
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
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

  it('booty state claim forget: a running lease is refused, naming its holder and its end', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    await claimsAt(world.stateDir);
    await expectTranscript(block('console', '$ booty state claim forget octo-org/web'), world);
  });

  it('when a deploy is stuck: find the claim, look at it, forget it', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    await withLibraryStore(world.stateDir, async (store) => {
      await store.deliveries.claim({ repo: WEB, headSha: SHA.leased, deliveryId: '72d3162e', leaseMs: 300_000 });
      await store.deliveries.complete({ repo: WEB, headSha: SHA.leased, deliveryId: '72d3162e', outcome: 'held' });
    });
    await expectStatuses(block('sh', 'booty state claims --repo octo-org/web'), world, [0, 0, 0]);
  });

  it('when a deploy is stuck: scan, repair each part, scan again (healthy: exit 0)', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    await damagedAt(world.stateDir);
    await expectStatuses(block('sh', 'booty state check '), world, [1, 0, 0, 0]);
  });

  it('when an override does not seem to apply: where each value comes from', async () => {
    const world = sandbox();
    write(world.repo, { '.booty.yml': GOVERNOR_ON });
    await expectStatuses(block('sh', 'booty config show '), world, [0, 0]);
  });
});
