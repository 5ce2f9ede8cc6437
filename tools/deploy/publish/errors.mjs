// The one error the deploy throws: every refusal and failure carries a stable DEPLOY_* code and
// the exit status it ends with. Apart from the steps so that each of them can refuse, and
// publish.mjs can render any refusal the same way, without a module depending on another.

/** A refused or failed deploy: a stable code, the message (what, where, the fix) and details. */
export class DeployError extends Error {
  constructor(code, message, { exitCode = 1, details = {} } = {}) {
    super(message);
    this.name = 'DeployError';
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
}
