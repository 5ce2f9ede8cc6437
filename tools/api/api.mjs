#!/usr/bin/env node
// The public surface of each package, for review. Two checks on what a package ships
// (dist/index.d.ts, so build first):
//
//   - its API report, packages/<name>/api/<name>.api.md, written by Microsoft's API Extractor:
//     every export with its full signature. It is committed, so a change to a package's API shows
//     in review as a diff of that file, and `npm test` fails while the report is out of date;
//   - its doc comments (doc-comments.mjs): every export documented, with its options and errors.
//
//   npm run api                       build, then write every report (what a reviewer then reads)
//   node tools/api/api.mjs --check    compare only, write nothing (npm test, through tools/e2e)
//
// Exit 0 when both checks pass; 1 with every problem and the command that fixes it; 2 bad usage.
// `--package DIR` (repeatable) checks those package directories instead of the workspace's.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { docCommentProblems } from './doc-comments.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const UPDATE_COMMAND = 'npm run api';

/** The workspace's public packages (root package.json "workspaces": "packages/*"). */
function workspacePackageDirs() {
  const packagesDir = path.join(root, 'packages');
  return readdirSync(packagesDir)
    .map((entry) => path.join(packagesDir, entry))
    .filter((dir) => existsSync(path.join(dir, 'package.json')));
}

function readPackage(dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const types = manifest.exports?.['.']?.types ?? manifest.types;
  const unscoped = manifest.name.replace(/^@[^/]+\//, '');
  return {
    name: manifest.name,
    private: manifest.private === true,
    dir,
    entry: path.join(dir, types),
    report: path.join(dir, 'api', `${unscoped}.api.md`),
  };
}

/** API Extractor's settings, the same for every package: only the report, with our own doc rules. */
function extractorConfig(pkg, tempDir) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: pkg.dir,
      mainEntryPointFilePath: pkg.entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'es2022',
            lib: ['es2023'],
            module: 'nodenext',
            moduleResolution: 'nodenext',
            types: ['node'],
            strict: true,
            // What the build checked already; the report needs the declarations, not their check.
            skipLibCheck: true,
          },
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: path.dirname(pkg.report),
        reportTempFolder: tempDir,
        reportFileName: path.basename(pkg.report, '.api.md'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'error' } },
        extractorMessageReporting: {
          default: { logLevel: 'error' },
          // No release tags (@public, @beta): everything exported is public.
          'ae-missing-release-tag': { logLevel: 'none' },
          // Our own rules (doc-comments.mjs) say what must be documented, with the fix.
          'ae-undocumented': { logLevel: 'none' },
          // {@link ConfigError} in a comment of @booty/governor names another package's export.
          'ae-unresolved-link': { logLevel: 'none' },
          // A type used by the API but not exported shows in the report, for the reviewer.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
        },
        // The comments are Markdown for editors' hovers, not TSDoc for a documentation site.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: path.join(pkg.dir, 'api-extractor.json'),
    packageJsonFullPath: path.join(pkg.dir, 'package.json'),
  });
}

/** Runs API Extractor on one package: writes its report (update) or compares it (check). */
function extract(pkg, { check }) {
  const tempDir = mkdtempSync(path.join(tmpdir(), 'booty-api-'));
  if (!check) mkdirSync(path.dirname(pkg.report), { recursive: true });
  const problems = [];
  try {
    const result = Extractor.invoke(extractorConfig(pkg, tempDir), {
      localBuild: !check,
      messageCallback: (message) => {
        message.handled = true;
        // Its console messages about the report file: this script says that itself, with the command.
        if (message.messageId.startsWith('console-')) return;
        if (message.logLevel === 'error' || message.logLevel === 'warning') {
          const file = message.sourceFilePath && path.relative(root, message.sourceFilePath);
          const where = file ? ` (${file}:${message.sourceFileLine})` : '';
          problems.push(`${pkg.name}: ${message.text}${where} [${message.messageId}]`);
        }
      },
    });
    const relativeReport = path.relative(root, pkg.report);
    if (check && result.apiReportChanged && !existsSync(pkg.report)) {
      problems.push(`${pkg.name}: ${relativeReport} does not exist. Run \`${UPDATE_COMMAND}\` and commit it.`);
    } else if (check && result.apiReportChanged) {
      const written = path.join(tempDir, path.basename(pkg.report));
      const git = ['diff', '--no-index', '--no-color', '--', pkg.report, written];
      const diff = spawnSync('git', git, { encoding: 'utf8' }).stdout;
      problems.push(
        `${pkg.name}: its API changed and ${relativeReport} does not show it yet. If the change is meant, ` +
          `run \`${UPDATE_COMMAND}\` and commit ${relativeReport} with it, so that review sees the new API; ` +
          `otherwise undo the change to the exports.\n${diff}`,
      );
    } else if (!check && result.apiReportChanged) {
      console.log(`${pkg.name}: wrote ${relativeReport}`);
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  return problems;
}

function parseArgs(argv) {
  const options = { check: false, dirs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') options.check = true;
    else if (argv[i] === '--package' && argv[i + 1]) options.dirs.push(path.resolve(argv[++i]));
    else {
      console.error(`api.mjs: unknown argument ${JSON.stringify(argv[i])}.`);
      console.error('Usage: node tools/api/api.mjs [--check] [--package DIR]...');
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const dirs = options.dirs.length > 0 ? options.dirs : workspacePackageDirs();
const packages = dirs.map(readPackage).filter((pkg) => !pkg.private);
const unbuilt = packages.filter((pkg) => !existsSync(pkg.entry));
if (unbuilt.length > 0) {
  const missing = unbuilt.map((pkg) => path.relative(root, pkg.entry)).join(', ');
  console.error(`${missing} missing: build first (\`${UPDATE_COMMAND}\` builds, then writes the reports).`);
  process.exit(1);
}

const problems = [];
const undocumented = docCommentProblems(packages);
if (undocumented.length > 0) {
  problems.push(
    `${undocumented.length} doc comment problem(s) in the public API (the rules: tools/api/doc-comments.mjs):\n` +
      undocumented.map((line) => `  ${line}`).join('\n'),
  );
}
for (const pkg of packages) problems.push(...extract(pkg, options));

if (problems.length > 0) {
  console.error(problems.join('\n\n'));
  process.exit(1);
}
const reports = packages.map((pkg) => path.relative(root, pkg.report)).join(', ');
console.log(`${options.check ? 'up to date' : 'written'}: ${reports}`);
