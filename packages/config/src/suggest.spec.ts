import { closest, editDistance } from './suggest';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['enabled', 'enabled', 0],
    ['enabeld', 'enabled', 1],
    ['kitten', 'sitting', 3],
    ['cooldown_minute', 'cooldown_minutes', 1],
  ])('%s -> %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const keys = ['enabled', 'cooldown_minutes', 'approval_mode', 'approval_label'];

  it('suggests the key one typo away', () => {
    expect(closest('enabeld', keys)).toBe('enabled');
    expect(closest('aproval_mode', keys)).toBe('approval_mode');
  });

  it('suggests a key written in another case', () => {
    expect(closest('Enabled', keys)).toBe('enabled');
  });

  it('suggests the key an unknown name is a prefix of', () => {
    expect(closest('cooldown', keys)).toBe('cooldown_minutes');
  });

  it('suggests nothing for an unrelated name', () => {
    expect(closest('colour', keys)).toBeUndefined();
    expect(closest('', keys)).toBeUndefined();
    expect(closest('x'.repeat(500), keys)).toBeUndefined();
  });
});
