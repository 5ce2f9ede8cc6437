// Test helpers for the `booty state …` specs: real stores made with the built @booty/release-state
// library, damage done to their files the way a disk or a person would, and a byte-for-byte
// picture of a directory to prove a command changed nothing.
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore, type DeliveryRecord, type ReleaseState, type ReleaseStore } from '@booty/release-state';
import { tempDir } from './booty';

export const REPO = 'octo-org/web';
export const OTHER_REPO = 'octo-org/api';
/** A distinct full commit SHA for each number. */
export const sha = (n: number): string => n.toString(16).padStart(40, 'a');

/** Opens `target` (a state directory or a postgres:// URL), runs `work`, closes it. */
export async function withLibraryStore<T>(target: string, work: (store: ReleaseStore) => Promise<T>): Promise<T> {
  const store = await openReleaseStore(/^postgres(ql)?:\/\//.test(target) ? { url: target } : { stateDir: target });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** A fresh file store holding `claims` final claims of REPO (sha(1)…) and one of OTHER_REPO. */
export async function fileStoreWithClaims(claims = 3): Promise<string> {
  const stateDir = path.join(tempDir('booty-state-'), 'state');
  await withLibraryStore(stateDir, async (store) => {
    for (let n = 1; n <= claims; n++)
      await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    await store.deliveries.claim({ repo: OTHER_REPO, headSha: sha(100), deliveryId: 'delivery-other' });
  });
  return stateDir;
}

/** Every file under `dir` (recursively) with its bytes; links as their target. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const file = path.join(current, name);
      const stat = lstatSync(file);
      const relative = path.relative(dir, file);
      if (stat.isDirectory()) {
        out[`${relative}/`] = `dir ${(stat.mode & 0o777).toString(8)}`;
        walk(file);
      } else if (stat.isSymbolicLink()) {
        out[relative] = `link ${readlinkSync(file)}`;
      } else {
        out[relative] = readFileSync(file).toString('base64');
      }
    }
  };
  walk(dir);
  return out;
}

export const CORRUPT_RELEASE = '{"production_sha_current": ';
export const CORRUPT_ENTRY = '{"key": 12';

export function corruptRelease(stateDir: string): string {
  const file = path.join(stateDir, 'release.json');
  writeFileSync(file, CORRUPT_RELEASE);
  return file;
}

/**
 * The ledger file that holds the claim on `headSha`, found by its contents (the on-disk layout
 * is the library's to choose): the one file under the state directory that names the commit.
 */
export function entryFileOf(stateDir: string, headSha: string): string {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const file = path.join(current, name);
      const stat = lstatSync(file);
      if (stat.isDirectory()) walk(file);
      else if (stat.isFile() && name !== 'release.json' && readFileSync(file, 'utf8').includes(headSha))
        found.push(file);
    }
  };
  walk(stateDir);
  if (found.length !== 1)
    throw new Error(
      `expected one ledger file naming ${headSha} under ${stateDir}, found ${found.length}: ${found.join(', ')}`,
    );
  return found[0] as string;
}

/** The contents of every file at `place` (a file, or a directory searched through). */
export function filesAt(place: string): string[] {
  if (!lstatSync(place).isDirectory()) return [readFileSync(place, 'utf8')];
  return readdirSync(place).flatMap((name) => filesAt(path.join(place, name)));
}

/** Damages the stored claim on `headSha`; returns its file. */
export function corruptEntry(stateDir: string, headSha: string): string {
  const file = entryFileOf(stateDir, headSha);
  writeFileSync(file, CORRUPT_ENTRY);
  return file;
}

const HOUR = 60 * 60 * 1000;
const RELEASE = {
  production_sha_current: 'b'.repeat(40),
  production_sha_previous: 'c'.repeat(40),
  last_deploy_attempt_sha: 'b'.repeat(40),
  last_deploy_time: '2026-11-30T10:00:00Z',
  last_deploy_result: 'success',
  last_health_check: null,
  deploy_history: [],
  // A field this version does not know: a copy keeps it.
  operator_note: 'written by a newer version',
};

/** A file store with every kind of claim (final, leased, completed with an outcome) and a release. */
export async function richFileStore(): Promise<string> {
  const stateDir = path.join(tempDir('booty-copy-'), 'state');
  await withLibraryStore(stateDir, async (store) => {
    await store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId: 'delivery-1' });
    await store.deliveries.claim({ repo: REPO, headSha: sha(2), deliveryId: 'delivery-2', leaseMs: HOUR });
    await store.deliveries.complete({ repo: REPO, headSha: sha(2), deliveryId: 'delivery-2', outcome: 'allowed' });
    await store.deliveries.claim({ repo: OTHER_REPO, headSha: sha(3), deliveryId: 'delivery-3', leaseMs: HOUR });
    // An App's store: a repository with a release state of its own.
    const produced = (state: ReleaseState) => ({ ...state, production_sha_current: sha(2), tenant_note: 'kept' });
    await store.updateState(produced, { repo: REPO });
  });
  const releaseFile = path.join(stateDir, 'release.json');
  writeFileSync(
    releaseFile,
    `${JSON.stringify({ ...JSON.parse(readFileSync(releaseFile, 'utf8')), ...RELEASE }, null, 2)}\n`,
  );
  return stateDir;
}

/** Every claim, the release state and each repository's own, as the library reads them back. */
export async function contentsOf(
  target: string,
): Promise<{ state: unknown; claims: DeliveryRecord[]; repositories: Record<string, unknown> }> {
  return withLibraryStore(target, async (store) => {
    const repositories: Record<string, unknown> = {};
    for (const repo of await store.repositories()) repositories[repo] = await store.readState({ repo });
    return {
      state: await store.readState(),
      claims: (await store.deliveries.list({ limit: 1000 })).sort((a, b) => a.key.localeCompare(b.key)),
      repositories,
    };
  });
}

/** A file store of `claims` final claims (delivery ids `<prefix>-<n>`), written in one restore: fast at any size. */
export async function storeOfSize(claims: number, prefix: string): Promise<string> {
  const stateDir = path.join(tempDir('booty-sized-'), 'state');
  const recordedAt = new Date().toISOString();
  const deliveries = Array.from({ length: claims }, (_, n) => ({
    key: `${REPO}:${(n + 1).toString(16).padStart(40, '0')}`,
    deliveryId: `${prefix}-${n + 1}`,
    recordedAt,
    attempt: 1,
    leaseExpiresAt: null,
    completedAt: null,
    outcome: null,
  }));
  await withLibraryStore(stateDir, async (store) => store.restore({ state: await store.readState(), deliveries }));
  return stateDir;
}

/** The store's own files (release.json, delivery_ids.json, every ledger entry) with their bytes: what a copy may change. */
export function storeFiles(stateDir: string): Record<string, string> {
  const all = snapshotDir(stateDir);
  return Object.fromEntries(
    Object.entries(all).filter(([name]) => /^(release\.json|delivery_ids\.json|deliveries\/[^.][^/]*)$/.test(name)),
  );
}
