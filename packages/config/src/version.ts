/** This package's version: the booty version that a message about keys it does not know names. */
export function bootyVersion(): string {
  // package.json is beside both src/ and dist/; read on first use only (a rare message).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../package.json') as { version: string }).version;
}
