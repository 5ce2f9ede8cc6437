// Building blocks for the fault cases (cases*.ts). Values live here, not in cases.ts, so the
// per-class case files can use them without a circular import.
import type { Entry } from './cases';

export const ENABLED_YML = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';

export const yml = (text: string): Record<string, Entry> => ({ '.booty.yml': text });
export const governorYml = (block: string): Record<string, Entry> =>
  yml(`schema_version: 1\ntest_command: npm test\nrelease_governor:\n${block}`);
