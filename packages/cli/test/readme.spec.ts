// The README's command lines, run as written through the built `booty` (a `booty` on PATH), each
// block in a sandbox made to be the README's world: the repository at /repo, the home at
// /home/me, a state store at /var/lib/booty/state, the claims and damage the text shows. A
// transcript (```console) must print what the README shows: its paths are the sandbox's, shown
// as the README's; a line `…` stands for any lines and `…` in a line for any text; times, the
// stamps of kept damaged files and durations are compared by their form. A block of commands
// (```sh) must exit as its comments say. Every block is run here, in readme-store.spec.ts or in
// readme-postgres.spec.ts, or named in readme/blocks.ts with the reason.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProcess } from './booty';
import { block, blocks, NOT_RUN, RUN, type Block } from './readme/blocks';
import { expectTranscript, runCommands, sandbox } from './readme/harness';
import { GOVERNOR_ON, numbered, write } from './readme/world';
import { withLibraryStore } from './state-fixture';

// --- the commands: config, governor, verifier; programmatic use -------------------------------------

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
