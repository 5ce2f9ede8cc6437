// The README's world on disk, and its transcripts run in it: a sandbox with the repository at
// /repo, the home at /home/me and a state store at /var/lib/booty/state, the built `booty` on
// PATH; output compared with the README's as readme.spec.ts describes.
import { mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { BIN, cleanEnv, runProcess, tempDir } from '../booty';
import type { Block } from './blocks';

export interface Sandbox {
  root: string;
  /** The README's /repo, /home/me and /var/lib/booty/state. */
  repo: string;
  home: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

export function sandbox(env: NodeJS.ProcessEnv = {}): Sandbox {
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

/** A sandbox whose RELEASE_GOVERNOR_STATE_DIR is its state store, as the README's store transcripts assume. */
export function storeSandbox(): Sandbox {
  const world = sandbox();
  world.env['RELEASE_GOVERNOR_STATE_DIR'] = world.stateDir;
  return world;
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
export async function runCommands(sandboxed: Sandbox, commands: readonly string[], cwd = sandboxed.repo) {
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
export async function expectTranscript(transcript: Block, sandboxed: Sandbox, cwd?: string): Promise<void> {
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
export async function expectStatuses(commands: Block, sandboxed: Sandbox, statuses: number[]): Promise<void> {
  const lines = commands.text.split('\n').filter((line) => line.trim() !== '');
  const ran = await runCommands(sandboxed, lines);
  const seen = ran.map((result, index) => ({ command: lines[index], status: result.status, output: result.output }));
  expect(seen.map(({ command, status }) => ({ command, status }))).toEqual(
    lines.map((command, index) => ({ command, status: statuses[index] })),
  );
}
