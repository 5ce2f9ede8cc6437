// The operator's commands (`booty config show`, `booty state …`), registered together by cli.ts.
import { ConfigShowCommand } from './config-show';
import { StateCheckCommand } from './state-check';
import { StateClaimForgetCommand } from './state-claim-forget';
import { StateClaimShowCommand } from './state-claim-show';
import { StateClaimsCommand } from './state-claims';
import { StateCopyCommand } from './state-copy';
import { StatePruneCommand } from './state-prune';
import { StateResetCommand } from './state-reset';
import { StateShowCommand } from './state-show';

export const OPERATOR_COMMANDS = [
  ConfigShowCommand,
  StateCheckCommand,
  StateResetCommand,
  StateShowCommand,
  StateClaimsCommand,
  StateClaimShowCommand,
  StateClaimForgetCommand,
  StatePruneCommand,
  StateCopyCommand,
] as const;
