// The README's command lines, run as written through the built `booty` (a `booty` on PATH), each
// block in a sandbox made to be the README's world: the repository at /repo, the home at
// /home/me, a state store at /var/lib/booty/state, the claims and damage the text shows. A
// transcript (```console) must print what the README shows: its paths are the sandbox's, shown
// as the README's; a line `…` stands for any lines and `…` in a line for any text; times, the
// stamps of kept damaged files and durations are compared by their form. A block of commands
// (```sh) must exit as its comments say. Every block is run here or named below with the reason.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore, type ReleaseStore } from '@booty/release-state';
import { describeWithPg } from '../../release-state/test/support/pg-server';
import { usePostgres } from '../../release-state/test/support/use-postgres';
import { BIN, cleanEnv, runProcess, tempDir } from './booty';
import { withLibraryStore } from './state-fixture';

const readme = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');

interface Block {
  language: string;
  text: string;
  /** Its first line in the README, for messages. */
  line: number;
}

const blocks: Block[] = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((match) => ({
  language: match[1] ?? '',
  text: match[2] ?? '',
  line: readme.slice(0, match.index).split('\n').length,
}));

/** Every block a test here runs, by its language and first command: a new block must be added. */
const RUN: [string, string][] = [
  ['console', '$ booty config validate\n'],
  ['console', '$ RELEASE_GOVERNOR_COOLDOWN_MINUTES=abc booty config validate'],
  ['json', '{ "ok": true, "path"'],
  ['console', '$ RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4'],
  ['console', '$ RELEASE_GOVERNOR_COOLDOWN_MINUTES=45 booty governor status'],
  ['console', '$ booty verifier run'],
  ['console', '$ booty state check'],
  ['console', '$ booty state reset release'],
  ['console', '$ booty state claims --repo'],
  ['console', '$ booty state claims --standing expired'],
  ['console', '$ booty state show --repo octo-org/web'],
  ['sh', 'booty state claims --repo octo-org/web'],
  ['sh', 'booty state check '],
  ['sh', 'booty config show '],
  ['js', "import { runCli } from '@booty/cli';"],
  ['console', '$ booty state copy --to postgres://booty@db.internal/booty'],
  ['sh', 'booty state copy --to postgres://booty@db.internal/booty'],
  ['console', '$ booty state claim forget octo-org/web'],
];

/** The block whose text starts with `start` (its first command). */
function block(language: string, start: string): Block {
  const found = blocks.find((candidate) => candidate.language === language && candidate.text.startsWith(start));
  if (!found) throw new Error(`the README has no ${language} block starting with ${JSON.stringify(start)}`);
  return found;
}

/** The blocks this file does not run, and why. */
const NOT_RUN: { language: string; start: string; why: string }[] = [
  {
    language: 'sh',
    start: 'npm install --save-dev @booty/cli',
    why: 'installs from the registry: tools/e2e/test/registry.spec.ts runs this block as written against a local one',
  },
  {
    language: 'json',
    start: '{ "compilerOptions"',
    why: 'a tsconfig.json change: tools/e2e/test/registry.spec.ts applies it',
  },
  {
    language: 'console',
    start: '  deliveries recorded:      30000 (over the count limit',
    why: 'lines of `booty governor status` over 30,000 claims: test/ledger-limit.spec.ts finds each in the real output',
  },
];

// --- the sandbox -------------------------------------------------------------------------------

interface Sandbox {
  root: string;
  /** The README's /repo, /home/me and /var/lib/booty/state. */
  repo: string;
  home: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

function sandbox(env: NodeJS.ProcessEnv = {}): Sandbox {
  const root = tempDir('booty-readme-');
  const repo = path.join(root, 'repo');
  const home = path.join(root, 'home', 'me');
  const stateDir = path.join(root, 'var', 'lib', 'booty', 'state');
  const bin = path.join(root, 'bin');
  for (const dir of [repo, home, path.dirname(stateDir), bin]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  symlinkSync(BIN, path.join(bin, 'booty'));
  const base = cleanEnv();
  return {
    root,
    repo,
    home,
    stateDir,
    env: { ...base, HOME: home, PATH: `${bin}:${base['PATH']}`, npm_config_update_notifier: 'false', ...env },
  };
}

/** Output as the README shows it: the sandbox's paths as the README's. */
function shown(sandboxed: Sandbox, text: string): string {
  return text
    .replaceAll(sandboxed.home, '/home/me')
    .replaceAll(path.join(sandboxed.root, 'var'), '/var')
    .replaceAll(sandboxed.repo, '/repo');
}

/** What may differ between runs, by its form: times, kept files' stamps, durations. */
const normalise = (line: string) =>
  line
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/\d{8}T\d{6}Z-\d+/g, '<stamp>')
    .replace(/\d+(\.\d+)? s\)/g, '<s> s)');

/** Whether `actual` lines are what `expected` shows (a `…` line: any lines; `…` in a line: any text). */
function matches(expected: readonly string[], actual: readonly string[]): boolean {
  const [first, ...rest] = expected;
  if (first === undefined) return actual.length === 0;
  if (first.trim() === '…') {
    for (let skip = 0; skip <= actual.length; skip++) if (matches(rest, actual.slice(skip))) return true;
    return false;
  }
  const [line, ...others] = actual;
  if (line === undefined) return false;
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${first.split('…').map(literal).join('.*')}$`);
  return pattern.test(line) && matches(rest, others);
}

interface Step {
  command: string;
  expected: string[];
}

/** A transcript's commands (`$ …`) and what each printed. */
function steps(transcript: Block): Step[] {
  const out: Step[] = [];
  for (const line of transcript.text.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) out.push({ command: line.slice(2), expected: [] });
    else out.at(-1)?.expected.push(line);
  }
  for (const step of out) while (step.expected.at(-1) === '') step.expected.pop();
  return out;
}

const MARK = '@@@booty-readme@@@';

/** Runs commands in one bash, in order (so `echo $?` sees the command before it); output and status of each. */
async function runCommands(sandboxed: Sandbox, commands: readonly string[], cwd = sandboxed.repo) {
  const each = (command: string) => `(exit $__s); ${command}\n__s=$?; echo "${MARK} $__s"`;
  const script = ['exec 2>&1', '__s=0', ...commands.map(each)].join('\n');
  const result = await runProcess('bash', ['-c', script], { cwd, env: sandboxed.env, timeoutMs: 120_000 });
  const parts = result.stdout.split(new RegExp(`^${MARK} (\\d+)\\n`, 'm'));
  const ran: { output: string[]; status: number }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const output = shown(sandboxed, parts[i] ?? '').replace(/\n$/, '');
    ran.push({ output: output === '' ? [] : output.split('\n'), status: Number(parts[i + 1]) });
  }
  return ran;
}

/** Runs a transcript and compares each command's output with the README's. */
async function expectTranscript(transcript: Block, sandboxed: Sandbox, cwd?: string): Promise<void> {
  const planned = steps(transcript);
  const ran = await runCommands(
    sandboxed,
    planned.map((step) => step.command),
    cwd,
  );
  planned.forEach((step, index) => {
    const output = (ran[index]?.output ?? []).map(normalise);
    const expected = step.expected.map(normalise);
    const context = `README.md line ${transcript.line}: $ ${step.command}`;
    if (!matches(expected, output)) expect({ context, output }).toEqual({ context, output: expected });
  });
}

/** Runs a block of commands and compares their exit statuses with the ones given. */
async function expectStatuses(commands: Block, sandboxed: Sandbox, statuses: number[]): Promise<void> {
  const lines = commands.text.split('\n').filter((line) => line.trim() !== '');
  const ran = await runCommands(sandboxed, lines);
  const seen = ran.map((result, index) => ({ command: lines[index], status: result.status, output: result.output }));
  expect(seen.map(({ command, status }) => ({ command, status }))).toEqual(
    lines.map((command, index) => ({ command, status: statuses[index] })),
  );
}

// --- the README's world ------------------------------------------------------------------------

const WEB = 'octo-org/web';
const SHA = {
  leased: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  held: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  final: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
};

/** The n-th claim of octo-org/web, at a commit of its own. */
const numbered = (n: number) => ({ repo: WEB, headSha: n.toString(16).padStart(40, '0'), deliveryId: `d${n}` });

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}

/** The state store of the transcripts: three claims of octo-org/web, as `booty state claims` lists them. */
async function claimsAt(stateDir: string): Promise<void> {
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
async function damagedAt(stateDir: string): Promise<void> {
  const claim = { repo: WEB, headSha: SHA.leased, deliveryId: '72d3162e' };
  await withLibraryStore(stateDir, (store) => store.deliveries.claim(claim));
  writeFileSync(path.join(stateDir, 'release.json'), '{"production_sha_current": \n');
  const entry = path.join(stateDir, 'deliveries', `octo-org%2Fweb%3A${SHA.leased}.json`);
  writeFileSync(entry, '{"format_version": 1\n"key"}\n');
}

const GOVERNOR_ON = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';

// --- the blocks ----------------------------------------------------------------------------------

describe('README.md of @booty/cli, run as written', () => {
  it('runs every block, or names it with the reason it is not run here', () => {
    for (const skipped of NOT_RUN) expect(block(skipped.language, skipped.start)).toBeDefined();
    const known = [...RUN, ...NOT_RUN.map(({ language, start }) => [language, start] as const)];
    const isKnown = (candidate: Block) =>
      known.some(([language, start]) => candidate.language === language && candidate.text.startsWith(start));
    const unknown = blocks.filter((candidate) => !isKnown(candidate));
    expect(unknown.map(({ line, language, text }) => `line ${line}: ${language} ${text.split('\n')[0]}`)).toEqual([]);
  });

  it('booty config validate: every problem with its place, exit 2', async () => {
    const world = sandbox();
    const lines = ['schema_version: 1', 'test_command: npm test', 'timeout_seconds: 99999', 'release_governor:'];
    const config = `${lines.join('\n')}\n  enabeld: true\n`;
    write(world.repo, { '.booty.yml': config });
    await expectTranscript(block('console', '$ booty config validate\n'), world);
  });

  it('booty config validate: a bad variable, and a misspelt one', async () => {
    const world = sandbox();
    write(world.repo, { '.booty.yml': GOVERNOR_ON });
    await expectTranscript(block('console', '$ RELEASE_GOVERNOR_COOLDOWN_MINUTES=abc booty config validate'), world);
  });

  it('booty config validate --json: the object the README shows', async () => {
    const world = sandbox();
    write(world.repo, { '.booty.yml': GOVERNOR_ON });
    const [ran] = await runCommands(world, ['booty config validate --json']);
    const documented = JSON.parse(block('json', '{ "ok": true, "path"').text.replace(/, …/g, ''));
    expect(JSON.parse(ran?.output.join('\n') ?? '')).toMatchObject(documented);
  });

  it('booty config show: each value with its origin', async () => {
    const world = sandbox();
    const top = 'schema_version: 1\ntest_command: npm test\ntimeout_seconds: 900\n';
    write(world.repo, { '.booty.yml': `${top}release_governor:\n  enabled: true\n  cooldown_minutes: 30\n` });
    await expectTranscript(block('console', '$ RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4'), world);
  });

  it('booty governor status: enabled with its store and settings; disabled without a file', async () => {
    const world = sandbox();
    write(world.repo, { '.booty.yml': GOVERNOR_ON });
    mkdirSync(path.join(world.home, 'no-config'));
    await withLibraryStore(path.join(world.home, '.booty', 'state'), async (store) => {
      for (let n = 1; n <= 12; n++) await store.deliveries.claim(numbered(n));
    });
    await expectTranscript(block('console', '$ RELEASE_GOVERNOR_COOLDOWN_MINUTES=45 booty governor status'), world);
  });

  it('booty verifier run: the steps, their output, the verdict', async () => {
    const world = sandbox({ npm_config_audit: 'false', npm_config_fund: 'false', npm_config_offline: 'true' });
    write(world.repo, {
      '.booty.yml': 'schema_version: 1\ninstall_command: npm ci\ntest_command: npm test\n',
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { test: 'node -e 0' } }),
      'package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'app', version: '1.0.0' } },
      }),
    });
    await expectTranscript(block('console', '$ booty verifier run'), world);
  });

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

  it('programmatic use: runCli resolves to the exit status', async () => {
    const world = sandbox();
    write(world.repo, { '.booty.yml': GOVERNOR_ON });
    const example = block('js', "import { runCli } from '@booty/cli';").text;
    // Inside the package, so that `@booty/cli` resolves to it as an installed package does.
    const script = path.resolve(__dirname, '..', 'dist', `readme-example-${process.pid}.mjs`);
    writeFileSync(script, example);
    try {
      const options = { cwd: world.repo, env: world.env, timeoutMs: 60_000 };
      const result = await runProcess(process.execPath, [script], options);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, path: path.join(world.repo, '.booty.yml') });
    } finally {
      rmSync(script, { force: true });
    }
  });
});

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
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    const server = onServer(world);
    await withLibraryStore(world.stateDir, async (store) => {
      for (let n = 1; n <= 1289; n++) await store.deliveries.claim(numbered(n));
    });
    const transcript = block('console', '$ booty state copy --to postgres://booty@db.internal/booty');
    const asHere = { ...transcript, text: server.as(transcript.text) };
    await expectTranscript(asHere, world);
  }, 300_000);

  it('moving to several hosts: copy, point every host at it, take a backup', async () => {
    const world = sandbox();
    world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
    const server = onServer(world);
    await claimsAt(world.stateDir);
    mkdirSync(path.join(world.root, 'var', 'backups'), { recursive: true });
    const commands = block('sh', 'booty state copy --to postgres://booty@db.internal/booty');
    const here = server.as(commands.text).replaceAll('/var/backups/', `${path.join(world.root, 'var', 'backups')}/`);
    await expectStatuses({ ...commands, text: here }, world, [0, 0, 0]);
  }, 300_000);
});
