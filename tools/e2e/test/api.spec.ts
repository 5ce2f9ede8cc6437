// The public surface of each package (tools/api): its API report, committed and compared with what
// the built package exports, and its doc comments. A change to an export fails here until its
// report is updated with `npm run api`, so that the change shows in review as a diff of the report.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { childEnv, describeRun, repoRoot, run } from './support/run';
import { workspacePackages } from './support/workspace';

jest.setTimeout(120_000);

const script = path.join(repoRoot, 'tools', 'api', 'api.mjs');
const api = (...args: string[]) => run(process.execPath, [script, ...args], { env: childEnv() });

describe('the packages of this workspace', () => {
  it('every API report is up to date, and every export is documented with its options and errors', async () => {
    const result = await api('--check');
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    for (const pkg of workspacePackages()) {
      const report = path.join(pkg.dir, 'api', `${pkg.name.split('/')[1]}.api.md`);
      expect(result.stdout).toContain(path.relative(repoRoot, report));
    }
  });

  it('npm run api builds first, then writes the reports', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(manifest.scripts.api).toMatch(/^nx run-many -t build .*&& node tools\/api\/api\.mjs$/);
  });
});

// A package made up here, so that each rule is seen to fail.
describe('a package whose API changes', () => {
  let dir: string;

  const DOCUMENTED = `/** What a greeting is made of. */
export interface GreetOptions {
  /** Who is greeted (default \`world\`). */
  name?: string;
}
/**
 * A greeting.
 * @param options - who is greeted
 * @throws {@link TypeError} when \`options.name\` is not a string.
 */
export declare function greet(options?: GreetOptions): string;
/**
 * The greeting's length. Never throws.
 * @param text - the greeting
 */
export declare function measure(text: string): number;
`;

  beforeAll(() => {
    mkdirSync(path.join(repoRoot, 'tmp'), { recursive: true });
    // Inside the repository, so that the compiler finds @types/node as it does for the packages.
    dir = mkdtempSync(path.join(repoRoot, 'tmp', 'api-fixture-'));
    mkdirSync(path.join(dir, 'dist'));
    const exports = { '.': { types: './dist/index.d.ts', default: './dist/index.js' } };
    const manifest = { name: '@booty/fixture', version: '1.0.0', exports };
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string) => writeFileSync(path.join(dir, 'dist', 'index.d.ts'), text);
  const report = () => path.join(dir, 'api', 'fixture.api.md');

  it('has no report yet: the check fails and names the command that writes it', async () => {
    write(DOCUMENTED);
    const result = await api('--check', '--package', dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('does not exist. Run `npm run api` and commit it.'),
    });
  });

  it('the update writes the report; then the check passes', async () => {
    const update = await api('--package', dir);
    expect(describeRun(update)).toMatch(/^exit 0\n/);
    expect(readFileSync(report(), 'utf8')).toContain('export function greet(options?: GreetOptions): string;');
    expect(describeRun(await api('--check', '--package', dir))).toMatch(/^exit 0\n/);
  });

  it('a new export fails the check with the report diff; each doc left out is named, with its place', async () => {
    write(`${DOCUMENTED}/** Says goodbye. Never throws. */
export declare function part(): string;
export declare function bare(): void;
/** Loads it. */
export declare function load(path: string): Promise<void>;
/**
 * Reads it.
 * @param path - where
 * @throws {@link StateError} when it cannot be read.
 */
export declare function read(path: string): Promise<string>;
/**
 * Opens it.
 * @throws {@link StateError} STATE_NO_SUCH_CODE when it cannot be opened.
 */
export declare function open(): Promise<void>;
/** What open takes. */
export interface OpenOptions {
  mode?: string;
}
/** A store. */
export interface Store {
  close(): Promise<void>;
}
/** A code. */
export type FixtureErrorCode = 'STATE_KNOWN';
`);
    const result = await api('--check', '--package', dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('@booty/fixture: its API changed and');
    expect(result.stderr).toContain('run `npm run api` and commit');
    expect(result.stderr).toMatch(/^\+export function part\(\): string;$/m);
    expect(readFileSync(report(), 'utf8')).not.toContain('part()');
    const lines = result.stderr.split('\n').map((line) => line.trim());
    const say = {
      nothing: 'has no doc comment: say what it is and what it does',
      errors: 'says nothing of its errors: add `@throws` with the error class and its codes (or "Never throws.")',
    };
    const expected = [
      `@booty/fixture: bare (dist/index.d.ts:19) ${say.nothing}`,
      `@booty/fixture: bare (dist/index.d.ts:19) ${say.errors}`,
      '@booty/fixture: load (dist/index.d.ts:21) has no @param for `path`: ' +
        'say what it takes (its options and their defaults)',
      `@booty/fixture: load (dist/index.d.ts:21) ${say.errors}`,
      '@booty/fixture: read (dist/index.d.ts:27) has `@throws {@link StateError} when it cannot be read.` ' +
        'without the codes: name them (e.g. CONFIG_READ)',
      '@booty/fixture: open (dist/index.d.ts:32) names the error code STATE_NO_SUCH_CODE, ' +
        'which no exported ...ErrorCode type has',
      '@booty/fixture: OpenOptions.mode (dist/index.d.ts:35) has no doc comment: ' +
        'say what the option does and its default',
      '@booty/fixture: Store.close (dist/index.d.ts:39) has no doc comment: say what it does',
      `@booty/fixture: Store.close (dist/index.d.ts:39) ${say.errors}`,
    ];
    for (const line of expected) expect(lines).toContain(line);
    expect(result.stderr).toContain(`${expected.length} doc comment problem(s) in the public API`);
  });
});
