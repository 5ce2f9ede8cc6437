import { spawnSync } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore } from '../src/index';
import { makeTempDir, removeTempDir, runTogether } from './helpers';

jest.setTimeout(60_000);

const hasPython = spawnSync('python3', ['-c', 'import json'], { stdio: 'ignore' }).status === 0;

function sha(n: number, salt: string): string {
  const hex = Buffer.from(`${salt}:${n}`).toString('hex');
  return (hex + '0'.repeat(40)).slice(0, 40).replace(/[^0-9a-f]/g, '0');
}

/** What the Python implementation leaves behind, written the way json.dump writes it. */
const PYTHON_RELEASE = {
  production_sha_current: 'a'.repeat(40),
  production_sha_previous: 'b'.repeat(40),
  last_deploy_attempt_sha: 'a'.repeat(40),
  last_deploy_time: '2026-02-16T12:00:00.123456+00:00',
  last_deploy_result: 'success',
  last_health_check: '2026-02-16T12:05:00+00:00',
  deploy_history: [
    { sha: 'b'.repeat(40), time: '2026-02-15T09:00:00+00:00', result: 'success' },
    { sha: 'a'.repeat(40), time: '2026-02-16T12:00:00.123456+00:00', result: 'success' },
  ],
};
const PYTHON_DELIVERIES: Record<string, string> = {
  [`octo/app:${'1'.repeat(40)}`]: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  [`octo/app:${'2'.repeat(40)}`]: '8a2f64a0-cc78-11e3-81ab-4c9367dc0958',
};

function pythonDump(value: unknown): string {
  // json.dump's default separators are ", " and ": ".
  return JSON.stringify(value).replace(/","/g, '", "').replace(/":/g, '": ');
}

/** Reads both files the way the Python implementation does (python3 when present). */
function readLikePython(stateDir: string): { release: Record<string, unknown>; deliveries: Record<string, unknown> } {
  if (!hasPython) {
    // No interpreter here: the same check in JavaScript (JSON objects of the same shapes).
    const read = (name: string) =>
      JSON.parse(readFileSync(path.join(stateDir, name), 'utf8')) as Record<string, unknown>;
    return { release: read('release.json'), deliveries: read('delivery_ids.json') };
  }
  const script = [
    'import json, sys',
    'd = sys.argv[1]',
    'release = json.load(open(d + "/release.json"))',
    'ids = json.load(open(d + "/delivery_ids.json"))',
    'assert all(isinstance(v, str) for v in ids.values()), "values must be bare strings"',
    'print(json.dumps({"release": release, "deliveries": ids}))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, stateDir], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as { release: Record<string, unknown>; deliveries: Record<string, unknown> };
}

describe(`interop with the Python implementation's files (reader: ${hasPython ? 'python3' : 'JavaScript'})`, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('interop');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('reads the Python files as they are, keeps their entries and fields, and extends them', async () => {
    const stateDir = path.join(dir, 'state');
    await fsp.mkdir(stateDir, { mode: 0o700 });
    await fsp.writeFile(path.join(stateDir, 'release.json'), pythonDump(PYTHON_RELEASE));
    await fsp.writeFile(path.join(stateDir, 'delivery_ids.json'), pythonDump(PYTHON_DELIVERIES));

    // Two processes claim: the Python keys (each must lose) and new keys.
    const results = await runTogether(
      Array.from({ length: 2 }, (_, w) => ({
        op: 'claim',
        stateDir,
        repo: 'octo/new',
        from: w * 5,
        count: 5,
        tag: `w${w}`,
      })),
    );
    expect(results.every((result) => result.code === 0)).toBe(true);

    const store = await openReleaseStore({ stateDir });
    for (const [key, deliveryId] of Object.entries(PYTHON_DELIVERIES)) {
      const headSha = key.split(':')[1] as string;
      expect(await store.deliveries.claim({ repo: 'octo/app', headSha, deliveryId })).toEqual({
        claimed: false,
        redelivery: true,
        takeover: false,
        record: {
          key,
          deliveryId,
          recordedAt: null,
          attempt: 1,
          leaseExpiresAt: null,
          completedAt: null,
          outcome: null,
        },
      });
    }
    expect(await store.deliveries.count()).toBe(12);

    expect(await store.readState()).toEqual(PYTHON_RELEASE);
    await store.updateState((state) => ({ ...state, last_health_check: '2026-02-17T08:00:00.000Z' }));
    await store.deliveries.prune();

    const seen = readLikePython(stateDir);
    expect(seen.release).toEqual({
      format_version: 1,
      ...PYTHON_RELEASE,
      last_health_check: '2026-02-17T08:00:00.000Z',
    });
    const expected: Record<string, string> = { ...PYTHON_DELIVERIES };
    for (let i = 0; i < 10; i++) expected[`octo/new:${sha(i, 'k')}`] = `w${Math.floor(i / 5)}-${i}`;
    expect(seen.deliveries).toEqual(expected);
  });

  it('keys spelled in another case in the Python file are one key; a forgotten one leaves the export', async () => {
    const stateDir = path.join(dir, 'state');
    await fsp.mkdir(stateDir, { mode: 0o700 });
    const spelled = `Octo-Org/App:${'1'.repeat(40)}`;
    const other = `octo-org/app:${'2'.repeat(40)}`;
    await fsp.writeFile(path.join(stateDir, 'delivery_ids.json'), pythonDump({ [spelled]: 'py-1', [other]: 'py-2' }));
    const store = await openReleaseStore({ stateDir });
    const first = { repo: 'octo-org/app', headSha: '1'.repeat(40) };
    const second = { repo: 'octo-org/app', headSha: '2'.repeat(40) };
    const again = await store.deliveries.claim({ ...first, deliveryId: 'again' });
    expect(again).toMatchObject({ claimed: false, record: { key: spelled, deliveryId: 'py-1' } });
    await store.deliveries.prune();
    // The export keeps the Python spelling: the key the Python implementation looks up.
    expect(readLikePython(stateDir).deliveries).toEqual({ [spelled]: 'py-1', [other]: 'py-2' });

    expect(await store.deliveries.release({ repo: 'OCTO-ORG/APP', headSha: '1'.repeat(40) })).toBe(true);
    expect(readLikePython(stateDir).deliveries).toEqual({ [other]: 'py-2' });
    // A copy of the directory (a restore) has a delivery_ids.json of another identity: imported
    // again, it holds no forgotten key.
    const copy = path.join(dir, 'copy');
    expect(spawnSync('cp', ['-a', stateDir, copy]).status).toBe(0);
    const copied = await openReleaseStore({ stateDir: copy });
    expect((await copied.deliveries.claim({ ...first, deliveryId: 'redelivered' })).claimed).toBe(true);
    expect((await copied.deliveries.claim({ ...second, deliveryId: 'py-2' })).redelivery).toBe(true);
    await copied.close();
    await store.close();
  });
});
