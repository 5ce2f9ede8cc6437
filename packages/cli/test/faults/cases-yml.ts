// The .booty.yml a user can get wrong: syntax, size, encoding, what the path is, the schema.
import { ENABLED_YML, governorYml, yml } from './case-helpers';
import type { FaultCase } from './cases';

/** An alias bomb: each level is a list of ten aliases of the previous one (10^10 values). */
function aliasBomb(): string {
  let text = 'schema_version: 1\ntest_command: npm test\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let level = 1; level <= 9; level++)
    text += `l${level}: &l${level} [${Array(10)
      .fill(`*l${level - 1}`)
      .join(', ')}]\n`;
  return text;
}

export const YML_CASES: FaultCase[] = [
  {
    id: 'yml syntax error',
    area: 'booty.yml',
    input: 'an unclosed flow sequence',
    workspace: yml('schema_version: 1\ntest_command: [npm test\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['{ws}/.booty.yml'] },
  },
  {
    id: 'yml duplicate key',
    area: 'booty.yml',
    input: 'enabled twice in release_governor',
    workspace: governorYml('  enabled: true\n  enabled: false\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['duplicate key', 'release_governor.enabled'] },
  },
  {
    id: 'yml alias bomb',
    area: 'booty.yml',
    input: 'nine levels of ten aliases (10^10 values)',
    workspace: yml(aliasBomb()),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['alias'] },
  },
  {
    id: 'yml over 1 MiB',
    area: 'booty.yml',
    input: 'a 1.1 MB comment',
    workspace: { '.booty.yml': { bytes: () => Buffer.from(`schema_version: 1\n#${'x'.repeat(1_100_000)}\n`) } },
    expect: { code: 'CONFIG_TOO_LARGE', exit: 2, says: ['1 MiB'] },
  },
  {
    id: 'yml token flood',
    area: 'booty.yml',
    input: '800,000 YAML tokens in under 1 MiB',
    workspace: {
      '.booty.yml': { bytes: () => Buffer.from(`schema_version: 1\nlabels: [${'a,'.repeat(400_000)}a]\n`) },
    },
    expect: { code: 'CONFIG_TOO_LARGE', exit: 2, says: ['tokens'] },
  },
  {
    id: 'yml nested 1000 deep',
    area: 'booty.yml',
    input: '1,000 nested flow sequences',
    workspace: yml(`schema_version: 1\nx: ${'['.repeat(1000)}${']'.repeat(1000)}\n`),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['nested'] },
  },
  {
    id: 'yml Latin-1 bytes',
    area: 'booty.yml',
    input: 'a Latin-1 é (0xE9), not UTF-8',
    workspace: { '.booty.yml': { bytes: () => Buffer.from('schema_version: 1\ntest_command: caf\xe9\n', 'latin1') } },
    expect: { code: 'CONFIG_ENCODING', exit: 2, says: ['UTF-8', '0xE9'] },
  },
  {
    id: 'yml UTF-16',
    area: 'booty.yml',
    input: 'UTF-16 with a byte order mark',
    workspace: { '.booty.yml': { bytes: () => Buffer.from(`\ufeff${ENABLED_YML}`, 'utf16le') } },
    expect: { code: 'CONFIG_ENCODING', exit: 2, says: ['UTF-16'] },
  },
  {
    id: 'yml is a directory',
    area: 'booty.yml',
    input: '.booty.yml is a directory',
    workspace: { '.booty.yml': { dir: true } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['directory'] },
  },
  {
    id: 'yml dangling symlink',
    area: 'booty.yml',
    input: '.booty.yml links to a missing file',
    workspace: { '.booty.yml': { symlink: '{ws}/missing.yml' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['does not exist'] },
  },
  {
    id: 'yml symlink loop',
    area: 'booty.yml',
    input: '.booty.yml links to itself',
    workspace: { '.booty.yml': { symlink: '.booty.yml' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['symbolic links'] },
  },
  {
    id: 'yml is a FIFO',
    area: 'booty.yml',
    input: 'a named pipe nobody writes to (a naive read hangs)',
    workspace: { '.booty.yml': { fifo: true } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['not a regular file'] },
  },
  {
    id: 'yml links to /dev/zero',
    area: 'booty.yml',
    input: 'an endless device (a naive read never ends)',
    workspace: { '.booty.yml': { symlink: '/dev/zero' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['not a regular file'] },
  },
  {
    id: 'yml unreadable',
    area: 'booty.yml',
    input: 'mode 000, read by an unprivileged user',
    workspace: { '.booty.yml': { text: ENABLED_YML, mode: 0o000 } },
    unprivileged: true,
    expect: { code: 'CONFIG_READ', exit: 2, says: ['{ws}/.booty.yml'] },
  },
  {
    id: 'yml workspace missing',
    area: 'booty.yml',
    input: '--workspace names a directory that does not exist',
    workspace: null,
    expect: { code: 'CONFIG_READ', exit: 2, says: ['does not exist'] },
  },
  {
    id: 'yml schema_version 2',
    area: 'booty.yml',
    input: 'a schema version this booty does not know',
    workspace: yml('schema_version: 2\ntest_command: npm test\n'),
    expect: { code: 'CONFIG_VERSION', exit: 2, says: ['schema_version'] },
  },
  {
    id: 'yml release_governor is a list',
    area: 'booty.yml',
    input: 'release_governor: [enabled]',
    workspace: governorYml('  - enabled\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['release_governor', 'list'] },
  },
  {
    id: 'yml enabled is a string',
    area: 'booty.yml',
    input: 'enabled: "yes" (a string)',
    workspace: governorYml('  enabled: "yes"\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['release_governor.enabled'] },
  },
  {
    id: 'yml misspelt key',
    area: 'booty.yml',
    input: 'enabeld: true',
    workspace: governorYml('  enabeld: true\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['did you mean', 'enabled'] },
  },
  {
    id: 'yml __proto__ key',
    area: 'booty.yml',
    input: '__proto__ inside release_governor',
    workspace: governorYml('  enabled: true\n  __proto__:\n    enabled: false\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['__proto__'] },
  },
  {
    id: 'yml js tag',
    area: 'booty.yml',
    input: 'a !!js/function tag',
    workspace: yml('schema_version: 1\ntest_command: npm test\nrelease_governor: !!js/function "x"\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['tag'] },
  },
  {
    id: 'yml two documents',
    area: 'booty.yml',
    input: 'a second document after ---',
    workspace: yml(`${ENABLED_YML}---\nschema_version: 1\n`),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['document'] },
  },
];
