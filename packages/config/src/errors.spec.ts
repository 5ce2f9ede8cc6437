import { ConfigError, configError, configIssue, isConfigError } from './errors';

describe('configIssue: the one place an issue message is composed', () => {
  test('what happened; what was (not) changed; the fix, in that order, each once', () => {
    const issue = configIssue({
      file: '/r/.booty.yml',
      happened: 'it is a link outside the workspace',
      changed: 'nothing of it was read',
      fix: 'replace the link with the file',
    });
    expect(issue).toEqual({
      path: '',
      message: 'it is a link outside the workspace; nothing of it was read; replace the link with the file',
      file: '/r/.booty.yml',
      line: null,
      column: null,
    });
  });

  test('parts left out are not joined in as empty text', () => {
    expect(configIssue({ file: null, happened: 'bad', fix: '' }).message).toBe('bad');
  });

  test('the key path is escaped', () => {
    expect(configIssue({ file: null, path: 'a.\u001b[2Kb', happened: 'x' }).path).toBe('a.\\e[2Kb');
  });

  test('configError builds a ConfigError whose summary escapes the file it names', () => {
    const error = configError('CONFIG_READ', { file: '/r/\u001b[31mred/.booty.yml', happened: 'cannot be read' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('CONFIG_READ');
    expect(error.message).toBe('/r/\\e[31mred/.booty.yml: cannot be read');
  });
});

describe('isConfigError: a ConfigError of any installed copy', () => {
  test('true for a ConfigError, false for look-alikes', () => {
    expect(isConfigError(configError('CONFIG_READ', { file: null, happened: 'x' }))).toBe(true);
    const lookalike = Object.assign(new Error('x'), { name: 'ConfigError', code: 'CONFIG_SCHEMA', issues: [] });
    for (const value of [lookalike, { code: 'CONFIG_SCHEMA', issues: [] }, null, undefined, new Error('x')]) {
      expect(isConfigError(value)).toBe(false);
    }
  });

  test('the brand is in the process-wide symbol registry, off the own keys', () => {
    const error = configError('CONFIG_READ', { file: null, happened: 'x' });
    expect(Reflect.get(error, Symbol.for('@booty/config:ConfigError'))).toBe(true);
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
  });
});
