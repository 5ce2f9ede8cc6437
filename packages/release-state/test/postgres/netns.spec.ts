// "Several hosts", literally: workers in two network namespaces of their own (each a veth pair
// with link-local 169.254.x addresses that exist only between this host and that namespace)
// race for the same keys on one PostgreSQL server. Needs root and `ip netns`; elsewhere the test
// says loudly that it did not run.
import { spawnSync } from 'node:child_process';
import { describeWithPg, startPgServer, type PgServer } from '../support/pg-server';
import { runTogether } from './workers';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const tag = String(process.pid % 100_000);
const spaces = [1, 2].map((k) => ({
  ns: `booty-pg-${tag}-${k}`,
  hostSide: `bpg${tag}h${k}`,
  nsSide: `bpg${tag}n${k}`,
  hostAddress: `169.254.${200 + k}.1`,
  nsAddress: `169.254.${200 + k}.2`,
}));

function ip(...args: string[]): boolean {
  return spawnSync('ip', args, { encoding: 'utf8' }).status === 0;
}

function netnsWorks(): boolean {
  if (!isRoot) return false;
  const probe = `booty-pg-probe-${tag}`;
  if (!ip('netns', 'add', probe)) return false;
  ip('netns', 'del', probe);
  return true;
}

function teardown(): void {
  for (const s of spaces) {
    ip('netns', 'del', s.ns);
    ip('link', 'del', s.hostSide);
  }
}

function setup(): void {
  for (const s of spaces) {
    const steps = [
      ['netns', 'add', s.ns],
      ['link', 'add', s.hostSide, 'type', 'veth', 'peer', 'name', s.nsSide],
      ['link', 'set', s.nsSide, 'netns', s.ns],
      ['addr', 'add', `${s.hostAddress}/30`, 'dev', s.hostSide],
      ['link', 'set', s.hostSide, 'up'],
      ['netns', 'exec', s.ns, 'ip', 'addr', 'add', `${s.nsAddress}/30`, 'dev', s.nsSide],
      ['netns', 'exec', s.ns, 'ip', 'link', 'set', s.nsSide, 'up'],
      ['netns', 'exec', s.ns, 'ip', 'link', 'set', 'lo', 'up'],
    ];
    for (const step of steps) if (!ip(...step)) throw new Error(`ip ${step.join(' ')} failed`);
  }
}

describeWithPg('PostgreSQL store from two network namespaces', () => {
  if (!netnsWorks()) {
    it('needs root and ip netns', () =>
      void process.stderr.write('\n*** NOT RUN: the two-namespace race needs root and `ip netns` ***\n\n'));
    return;
  }
  let server: PgServer;
  beforeAll(async () => {
    teardown();
    setup();
    server = await startPgServer({
      listen: spaces.map((s) => s.hostAddress),
      allow: spaces.map((s) => `${s.nsAddress}/32`),
    });
  });
  afterAll(async () => {
    await server?.stop();
    teardown();
  });

  it('8 workers, 4 in each namespace, racing on the same 200 keys: exactly 200 winners', async () => {
    const commands = [];
    const prefixes = [];
    for (let w = 0; w < 8; w++) {
      const s = spaces[w % 2] as (typeof spaces)[number];
      // Not loopback, so TLS would be verified by default; this test server speaks plain text.
      const url = server.url({ schema: 'two_hosts', sslmode: 'disable' }).replace('127.0.0.1', s.hostAddress);
      commands.push({
        url,
        op: 'claim',
        repo: 'octo/app',
        from: 0,
        count: 200,
        tag: `ns${(w % 2) + 1}w${w}`,
        salt: 'shared',
        offset: w * 25,
      });
      prefixes.push(['ip', 'netns', 'exec', s.ns]);
    }
    const results = await runTogether(commands, prefixes);
    const winners = new Map<number, string>();
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.lines).toHaveLength(200);
      for (const line of r.lines) {
        if (line['claimed'] !== true) continue;
        expect(winners.has(line['i'] as number)).toBe(false);
        winners.set(line['i'] as number, line['deliveryId'] as string);
      }
    }
    expect(winners.size).toBe(200);
    // Every loser was told the one winner's delivery id.
    for (const r of results)
      for (const line of r.lines) expect(line['deliveryId']).toBe(winners.get(line['i'] as number));
    const byNamespace = [...winners.values()].reduce((n, id) => (id.startsWith('ns1') ? n + 1 : n), 0);
    process.stdout.write(`two namespaces: 200 winners, ${byNamespace} from ns1 and ${200 - byNamespace} from ns2\n`);
  });
});
