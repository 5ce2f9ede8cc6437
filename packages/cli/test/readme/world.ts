// What the README's transcripts show in the store: the claims of octo-org/web, a damaged store, a
// .booty.yml that turns the Governor on.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore, type ReleaseStore } from '@booty/release-state';
import { withLibraryStore } from '../state-fixture';

export const WEB = 'octo-org/web';
export const SHA = {
  leased: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  held: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  final: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
};

/** The n-th claim of octo-org/web, at a commit of its own. */
export const numbered = (n: number) => ({ repo: WEB, headSha: n.toString(16).padStart(40, '0'), deliveryId: `d${n}` });

export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}

/** The state store of the transcripts: three claims of octo-org/web, as `booty state claims` lists them. */
export async function claimsAt(stateDir: string): Promise<void> {
  const minutesAgo = (minutes: number) => () => new Date(Date.now() - minutes * 60_000);
  const at = async (minutes: number, work: (store: ReleaseStore) => Promise<unknown>) => {
    const store = await openReleaseStore({ stateDir, now: minutesAgo(minutes) });
    try {
      await work(store);
    } finally {
      await store.close();
    }
  };
  await at(30, (store) => store.deliveries.claim({ repo: WEB, headSha: SHA.final, deliveryId: '0b9e4c0a' }));
  await at(20, async (store) => {
    await store.deliveries.claim({ repo: WEB, headSha: SHA.held, deliveryId: '5f1c2d3e', leaseMs: 300_000 });
    await store.deliveries.complete({ repo: WEB, headSha: SHA.held, deliveryId: '5f1c2d3e', outcome: 'held' });
  });
  const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
  const leased = { repo: WEB, headSha: SHA.leased, deliveryId, leaseMs: 300_000 };
  await at(1, (store) => store.deliveries.claim(leased));
}

/** A store whose release.json and one ledger entry are damaged, as `booty state check` shows them. */
export async function damagedAt(stateDir: string): Promise<void> {
  const claim = { repo: WEB, headSha: SHA.leased, deliveryId: '72d3162e' };
  await withLibraryStore(stateDir, (store) => store.deliveries.claim(claim));
  writeFileSync(path.join(stateDir, 'release.json'), '{"production_sha_current": \n');
  const entry = path.join(stateDir, 'deliveries', `octo-org%2Fweb%3A${SHA.leased}.json`);
  writeFileSync(entry, '{"format_version": 1\n"key"}\n');
}

export const GOVERNOR_ON = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';
