import { deliveryKey } from './input';
import { isFullSha, toFullSha } from './formats';

const sha1 = '3484a3fb816e0859fd6e1cea078d76385ff50625';
const sha256 = `${sha1}${'0123456789abcdef01234567'}`;

test('toFullSha keeps a lower-case SHA-1 or SHA-256 as it is, and folds upper case', () => {
  expect(toFullSha(sha1)).toBe(sha1);
  expect(toFullSha(sha256)).toBe(sha256);
  expect(toFullSha(sha1.toUpperCase())).toBe(sha1);
  expect(toFullSha(sha256.toUpperCase())).toBe(sha256);
  expect(isFullSha(toFullSha(sha256.toUpperCase()))).toBe(true);
});

test('toFullSha refuses what is not a full SHA: short, too long, not hex, not a string', () => {
  for (const value of [sha1.slice(0, 12), `${sha1}0`, 'z'.repeat(40), ` ${sha1}`, 42, null, undefined, { sha: sha1 }]) {
    expect(toFullSha(value)).toBeNull();
  }
});

test('toFullSha gives the form a claim keys the commit by', () => {
  const folded = toFullSha(sha1.toUpperCase());
  expect(deliveryKey({ repo: 'octo-org/octo-repo', headSha: sha1.toUpperCase() }, 'test')).toBe(
    `octo-org/octo-repo:${folded}`,
  );
});
