// The bad-input corpus: every case is data. A case says what it puts on disk or in the
// environment, and the typed error, exit status and message words it must produce. The runner
// (../faults.spec.ts) builds each case in a fresh temp directory, runs the built `booty` (or the
// public `handleWorkflowRun` in a child process), and checks that nothing on disk changed.
//
// Placeholders in strings: {root} the case's temp directory, {ws} the workspace ({root}/ws),
// {state} the state directory ({root}/state).

import { CLI_CASES } from './cases-cli';
import { CONFIG_CASES } from './cases-config';
import { DIAGNOSIS_CASES } from './cases-diagnosis';
import { ENV_CASES } from './cases-env';
import { FILE_CASES } from './cases-files';
import { PAYLOAD_CASES } from './cases-payload';
import { SECRET_CASES } from './cases-secrets';
import { SLIP_CASES } from './cases-slips';
import { STATE_CASES } from './cases-state';
import { STATE_FILE_CASES } from './cases-state-files';
import { YML_CASES } from './cases-yml';

export { ENABLED_YML } from './case-helpers';

/** What a path holds. A plain string is a regular file with that UTF-8 text. */
export type Entry =
  | string
  | { bytes: () => Uint8Array }
  | { symlink: string }
  | { dir: true; mode?: number }
  | { fifo: true }
  | { text: string; mode: number };

export type Area = 'booty.yml' | 'env' | 'state' | 'payload';

export interface StateSetup {
  /** 'store': a healthy store made by @booty/release-state (the default); 'empty-dir': a 0700
   * directory with nothing in it; 'none': the state directory does not exist. */
  create?: 'store' | 'empty-dir' | 'none';
  /** Written into the state directory after it is created (replacing what is there). */
  files?: Record<string, Entry>;
  /** chmod of the state directory, last. */
  mode?: number;
  /** The state directory belongs to another user (uid 65534 when the tests run as root). */
  foreignOwner?: boolean;
  /** The state directory (or, for create: 'none', its parent) is read-only. */
  readOnly?: boolean;
}

export interface FaultCase {
  id: string;
  area: Area;
  /** What is wrong, in words. */
  input: string;
  /** Files of the workspace; default: an enabled release_governor block. null: no workspace dir. */
  workspace?: Record<string, Entry> | null;
  env?: Record<string, string>;
  state?: StateSetup;
  /** --state-dir; default '{state}'. null: no --state-dir (RELEASE_GOVERNOR_STATE_DIR decides). */
  stateDirArg?: string | null;
  /** Needs permission bits to apply: run as an unprivileged user (nobody, when the tests run as root). */
  unprivileged?: boolean;
  /**
   * HOME for booty (null: unset; placeholders expand). Such a case runs as the account nobody
   * (setpriv as root, `unshare --user` otherwise), whose password-database home does not exist.
   */
  home?: string | null;
  /**
   * The booty commands to run (each without --workspace/--state-dir, which the runner adds);
   * default: the area's pair in faults.spec.ts. A command with --json is checked as JSON.
   */
  commands?: string[][];
  /** payload cases: the JSON body, made from a recorded GitHub delivery. */
  payload?: PayloadMutation;
  expect: {
    code: string;
    exit: 1 | 2;
    /** Words the error (message and issues) must contain; placeholders expand. */
    says?: string[];
    /** Words the error must not contain (e.g. a misleading errno). */
    saysNot?: string[];
    /** Text that must appear nowhere in stdout or stderr (a secret, a raw escape sequence). */
    hidden?: string[];
  };
}

export interface PayloadMutation {
  /** Replace the whole body with this value. */
  whole?: unknown;
  /** Dotted path -> new value (undefined deletes the key). */
  set?: Record<string, unknown>;
  /** Extra top-level keys written as raw JSON text (for keys JSON.parse treats specially). */
  rawExtra?: string;
}

/** The operator's tools never make things worse: a slip, a secret, a file read, a diagnosis (one file each). */
export const OPERATOR_CASES: FaultCase[] = [...SLIP_CASES, ...SECRET_CASES, ...FILE_CASES, ...DIAGNOSIS_CASES];

/**
 * Every case. Each class of hardening keeps its cases in a file of its own beside this one
 * (cases-*.ts), so a new case is a new line in the file of its class.
 */
export const CASES: FaultCase[] = [
  ...YML_CASES,
  ...ENV_CASES,
  ...STATE_FILE_CASES,
  ...PAYLOAD_CASES,
  ...CONFIG_CASES,
  ...STATE_CASES,
  ...CLI_CASES,
  ...OPERATOR_CASES,
];
