import { mapLimit } from './bulk';

describe('mapLimit', () => {
  it('gives the results in the order of the items, at most `limit` calls at a time', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('after a failure starts nothing more, and throws only once every call in flight has settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const items = Array.from({ length: 20 }, (_, n) => n);
    const run = mapLimit(items, 4, async (n) => {
      started.push(n);
      if (n === 0) throw new Error('the first write failed');
      // The others are still writing when the first one fails.
      await new Promise((resolve) => setTimeout(resolve, 20));
      settled.push(n);
    });
    await expect(run).rejects.toThrow('the first write failed');
    expect(started).toEqual([0, 1, 2, 3]);
    expect(settled.sort((a, b) => a - b)).toEqual([1, 2, 3]);
  });
});
