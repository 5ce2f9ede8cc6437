// GitHub Actions workflow commands for the deploy and release scripts: an ::error:: annotation is
// shown on the run's summary page, next to the log line.

export const onActions = process.env.GITHUB_ACTIONS === 'true';

/** Escapes a workflow-command message (GitHub's rules for %, CR and LF). */
function escapeData(text) {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Escapes a workflow-command property such as title (also , and :). */
function escapeProperty(text) {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** Writes an ::error:: annotation to stdout when running on GitHub Actions; elsewhere nothing. */
export function annotateError(title, message) {
  if (onActions) process.stdout.write(`::error title=${escapeProperty(title)}::${escapeData(message)}\n`);
}
