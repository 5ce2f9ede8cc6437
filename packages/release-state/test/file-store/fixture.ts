// What the file store's specs share: a fresh temp directory for each test, with the store's
// directory inside it (not made: the store makes it), removed after the test with every jest spy
// restored; and the keys the tests claim.
import * as path from 'node:path';
import { entryName } from '../../src/file/ledger/entry';
import { makeTempDir, removeTempDir } from '../helpers';

export const SHA = (n: number) => n.toString(16).padStart(40, '0');
export const KEY = (n: number) => ({ repo: 'octo/app', headSha: SHA(n) });
export const DAY = 24 * 60 * 60 * 1000;

export interface TempStateDir {
  /** The running test's temp directory. */
  readonly dir: string;
  /** `state` inside it, where the test opens its store. */
  readonly stateDir: string;
  /** The ledger file of the claim of `KEY(n)` in the store at `root` (by default `stateDir`). */
  entryPath(n: number, root?: string): string;
}

/** Registers the beforeEach/afterEach that make and remove a test's directory; read it inside a test. */
export function useTempStateDir(): TempStateDir {
  let dir = '';
  let stateDir = '';
  beforeEach(async () => {
    dir = await makeTempDir('file-store');
    stateDir = path.join(dir, 'state');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await removeTempDir(dir);
  });
  return {
    get dir() {
      return dir;
    },
    get stateDir() {
      return stateDir;
    },
    entryPath: (n, root = stateDir) => path.join(root, 'deliveries', entryName(`octo/app:${SHA(n)}`)),
  };
}
