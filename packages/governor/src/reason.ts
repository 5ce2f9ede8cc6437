import type { ReleaseGovernorState } from '@booty/config';

/**
 * Why the Governor is on or off, in words an operator can act on. The words are worked out once,
 * by `@booty/config` (`releaseGovernor.reason`); this is that reason with its state as a code.
 */
export interface GovernorReason {
  code: ReleaseGovernorState;
  message: string;
}
