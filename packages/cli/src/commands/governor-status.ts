import { UsageError } from 'clipanion';
import { checkCommitArguments } from '../claim-view';
import { columns } from '../columns';
import { stringOption } from '../context';
import { effectiveValueLines } from '../effective-values';
import { EXIT, writeWarnings } from '../errors';
import { isOverLimit, writeOverLimit } from '../ledger-limit';
import { progressOn } from '../progress';
import { displayPath, plural, styleFor, text, writeJson, writeLine } from '../output';
import { stateRows } from '../release-view';
import { StoreCommand } from '../store-options';

export class GovernorStatusCommand extends StoreCommand {
  static override paths = [['governor', 'status']];

  static override usage = StoreCommand.Usage({
    category: 'Release Governor',
    description: 'show whether the Release Governor is enabled, the settings in force, and what is in production',
    details: `
      Loads the \`release_governor\` block of \`.booty.yml\` with the \`RELEASE_GOVERNOR_*\` overrides. A problem in
      that block (or one that makes the file unreadable) is an error; another service's block that is broken, or a
      key this booty does not know (a newer booty's), is a warning that names it, and the status is still shown.
      When the Governor is disabled it says why and touches nothing. When it is enabled it opens the store (a file
      store is created with its \`release.json\` skeleton on first use) and prints the store, every \`release.json\`
      field (\`(none)\` for null), the number of recorded claims, and the effective \`release_governor\` settings,
      each with where its value came from (\`.booty.yml:LINE:COL\`, the variable, or \`default\`), so you can see
      that an override took effect.

      This is the quick look: damaged ledger entries are counted, not examined (\`booty state check\` is the full scan).

      The store is \`--store-url\` or \`--state-dir\`, else \`RELEASE_GOVERNOR_STORE_URL\`, else
      \`RELEASE_GOVERNOR_STATE_DIR\`, else \`$HOME/.booty/state\`.

      The release state shown is the store's own (\`release.json\`, a single-repository deployment's),
      or with \`--repo OWNER/NAME\` that repository's own state, in a store that keeps one per
      repository (an App that serves several).

      Exit status: 0 when the status was shown (enabled or disabled), 2 for an invalid release_governor block, an
      unreadable .booty.yml, or usage, 1 when the state cannot be read safely.
    `,
    examples: [
      ['Show the status of the current repository', '$0 governor status'],
      ['Use another state directory, as JSON', '$0 governor status --state-dir /var/lib/booty/state --json'],
      ['See whether an override applies', 'RELEASE_GOVERNOR_COOLDOWN_MINUTES=45 $0 governor status'],
      ['The release state of one repository of an App', '$0 governor status --repo octo-org/web'],
    ],
  });

  repo = stringOption('--repo', 'OWNER/NAME', "This repository's own release state (default: the store's own)");

  protected async run(): Promise<number> {
    const [{ loadGovernor }, { RELEASE_STATE_FIELDS }] = await Promise.all([
      import('@booty/governor'),
      import('@booty/release-state'),
    ]);
    const { env, stdout, stderr, cwd } = this.context;
    // cwd: a relative --state-dir is read against runCli's working directory, not the process's.
    if (this.repo === '') throw new UsageError('--repo needs a repository, owner/name');
    await checkCommitArguments({ repo: this.repo }, { repo: '--repo' });
    const repo = this.repo === undefined ? {} : { repo: this.repo };
    const governor = await loadGovernor({ workspace: this.workspaceDir(), env, cwd, ...this.storeChoice(), ...repo });
    let status;
    const progress = progressOn(stderr, env, 'the ledger');
    try {
      status = await governor.status({ onProgress: progress.update });
    } finally {
      progress.done();
      await governor.close();
    }
    if (this.json) {
      writeJson(stdout, { ok: true, ...status, warnings: governor.warnings });
      return EXIT.ok;
    }
    writeWarnings(stderr, governor.warnings, env, this.envOrigins);
    const style = styleFor(stdout, env);
    const rows: string[][] = [['reason:', status.reason.message]];
    if (status.configPath) rows.push(['config:', displayPath(status.configPath, cwd)]);
    if (status.store !== null) rows.push(['store:', `${status.store.kind} ${status.store.location}`]);
    if (status.state !== null) {
      if (status.repo !== null) rows.push(['repository:', status.repo]);
      rows.push(...stateRows(status.state, RELEASE_STATE_FIELDS));
    }
    if (status.deliveries !== null) {
      const { entries, damaged, limit } = status.deliveries;
      const notes = [
        ...(damaged > 0 ? [`${damaged} damaged: run \`booty state check\``] : []),
        ...(isOverLimit(limit) ? [`over the count limit of ${limit.maxDeliveries}: see below`] : []),
      ];
      rows.push(['deliveries recorded:', notes.length > 0 ? `${entries} (${notes.join('; ')})` : String(entries)]);
    }
    writeLine(stdout, text`Governor: ${style.bold(status.enabled ? 'enabled' : 'disabled')}`);
    for (const line of columns(rows, { indent: '  ' })) writeLine(stdout, line);
    if (status.deliveries !== null) writeOverLimit(stdout, env, status.deliveries.limit, status.deliveries.entries);
    if (status.settings !== null) {
      writeLine(stdout, text`Settings (release_governor):`);
      for (const line of effectiveValueLines(status.settings)) writeLine(stdout, line);
    }
    if (status.overrides.length > 0)
      writeLine(
        stdout,
        text`Overrides applied: ${status.overrides.join(', ')} (${plural(status.overrides.length, 'variable')})`,
      );
    return EXIT.ok;
  }
}
