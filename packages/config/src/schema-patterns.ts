// The text rules of the schema: the patterns its string keys use, the control characters a
// command may not hold, and the plain words for each pattern. Apart from the schema because the
// messages (messages.ts), the environment table (env-overrides.ts) and the Verifier's last guard
// before it starts a command apply the same rules, and import them without the whole schema.

/** At least one character that is not white space. */
export const NOT_BLANK = '\\S';
/** A workflow file name in `.github/workflows`, not a path. */
export const WORKFLOW_FILE = '^[^/\\\\]+\\.ya?ml$';
/** Enough of git's ref-name rules to catch typos: no spaces, no `..`, no leading `-`, none of ~^:?*[\ */
export const GIT_REF = '^(?!-)(?!.*\\.\\.)[^\\s~^:?*\\[\\\\]+$';

/**
 * The control characters a command may not hold: C0 except tab and line feed (a block scalar `|`
 * puts one command per line), DEL and C1. A NUL cannot reach a shell at all, and an escape
 * sequence or carriage return makes a log line lie about what ran. The one definition: the
 * schema's COMMAND pattern, the loader's messages and the Verifier's last guard all use it.
 */
const COMMAND_CONTROL_CLASS = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f';
const COMMAND_CONTROL = new RegExp(`[${COMMAND_CONTROL_CLASS}]`, 'u');

/** A command run through the shell (or typed as a comment): not blank, and none of the control characters above. */
export const COMMAND = `^(?=[\\s\\S]*\\S)[^${COMMAND_CONTROL_CLASS}]*$`;

/**
 * The first control character in `command` that a command may not hold (tab and line feed are
 * fine), with its 1-based position in characters; null when there is none. Never throws.
 *
 * @param command - a command as written in `.booty.yml` (`test_command`, ...)
 */
export function commandControlCharacter(command: string): { character: string; position: number } | null {
  const found = COMMAND_CONTROL.exec(command);
  if (found === null) return null;
  return { character: found[0], position: Array.from(command.slice(0, found.index)).length + 1 };
}

/** What each pattern accepts, for the environment table. */
export const PATTERN_NOUN: Readonly<Record<string, string>> = {
  [NOT_BLANK]: 'any text that is not blank',
  [COMMAND]: 'a command that is not blank, without control characters (tab aside)',
  [WORKFLOW_FILE]: 'a workflow file name such as `deploy.yml`',
  [GIT_REF]: 'a branch or tag name such as `main`',
};

/** Plain words for each pattern, used in error messages. */
export const PATTERN_HELP: Readonly<Record<string, string>> = {
  [NOT_BLANK]: 'must not be blank (only white space)',
  [COMMAND]: 'must be a command that is not blank, without control characters (tab and line breaks aside)',
  [WORKFLOW_FILE]: 'must be a workflow file name ending in .yml or .yaml, such as `deploy.yml` (no directories)',
  [GIT_REF]: 'must be a branch or tag name such as `main` or `v1.2.0` (no spaces, no `..`, none of ~^:?*[\\)',
};
