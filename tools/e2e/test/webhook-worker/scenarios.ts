// The webhook worker's scenarios, the same on each backend (files.spec.ts, postgres.spec.ts): two
// worker processes of examples/webhook-worker on one store, fed GitHub's recorded workflow_run
// delivery made into other workflows of the same push, duplicates, re-runs, a fork's pull request
// on a branch named like the default one, and holders killed, paused or slow during their lease.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deliver, type Worker, type WorkerSite } from '../support/webhook-worker';
import { sha, workflowRun } from '../support/workflow-run';

/** The scenarios, the same on each backend. `store` names it for the workers (one variable). */
export function scenarios(site: WorkerSite, storeOf: () => Record<string, string>): void {
  const { startWorker, ledger } = site;
  let a: Worker;
  let b: Worker;
  // Every worker of these scenarios, victims included.
  const mine: Worker[] = [];
  const logged = (step: string) => mine.flatMap((worker) => worker.lines.filter((line) => line['step'] === step));

  beforeAll(async () => {
    const workspace = path.join(site.work, 'workspace');
    await mkdir(workspace, { recursive: true });
    await writeFile(
      path.join(workspace, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    );
    [a, b] = await Promise.all([startWorker('a', storeOf()), startWorker('b', storeOf())]);
    mine.push(a, b);
  }, 120_000);

  afterAll(() => {
    a?.kill();
    b?.kill();
  });

  it('other workflows of the push, unfinished runs and a fork\'s pull request on "master" claim nothing', async () => {
    const replies = await Promise.all([
      deliver(a, 'codeql-1', workflowRun({ sha: sha('1'), workflow: 'CodeQL' })),
      deliver(b, 'verify-1-requested', workflowRun({ sha: sha('1'), action: 'requested', conclusion: null })),
      deliver(a, 'fork-pr', workflowRun({ sha: sha('f'), event: 'pull_request', headRepository: 'someone/octo-repo' })),
      deliver(b, 'fork-push', workflowRun({ sha: sha('f'), headRepository: 'someone/octo-repo' })),
    ]);
    expect(replies.map((reply) => [reply.status, reply.body['ignored']])).toEqual([
      [200, 'other-workflow'],
      [200, 'not-completed'],
      [200, 'not-push'],
      [200, 'fork'],
    ]);
    expect(await ledger(storeOf(), sha('1'))).toBeNull();
    expect(await ledger(storeOf(), sha('f'))).toBeNull();
  });

  it('the verification run, delivered to both workers at once, is claimed and decided once', async () => {
    const payload = workflowRun({ sha: sha('1') });
    const replies = await Promise.all([deliver(a, 'verify-1', payload), deliver(b, 'verify-1', payload)]);
    const statuses = replies.map((reply) => reply.status);
    // One wins (202); the other sees the running lease (409) or, if the work was done, the result (200).
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 202).every((status) => status === 409 || status === 200)).toBe(true);
    const winner = replies[0]?.status === 202 ? a : b;
    await winner.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-1');
    expect(await ledger(storeOf(), sha('1'))).toMatchObject({
      deliveryId: 'verify-1',
      attempt: 1,
      outcome: 'not-implemented',
      completedAt: expect.any(String),
    });
  });

  it("another workflow finishing later never takes the verification run's claim; a copy is a duplicate", async () => {
    const later = await deliver(b, 'codeql-1-late', workflowRun({ sha: sha('1'), workflow: 'Security scan' }));
    expect([later.status, later.body['ignored']]).toEqual([200, 'other-workflow']);
    const copy = await deliver(a, 'verify-1-second-hook', workflowRun({ sha: sha('1') }));
    expect(copy).toEqual({ status: 200, body: { duplicate: true, handledBy: 'verify-1', outcome: 'not-implemented' } });
    const redelivery = await deliver(b, 'verify-1', workflowRun({ sha: sha('1') }));
    expect(redelivery.body).toMatchObject({ duplicate: true, handledBy: 'verify-1' });
    expect(await ledger(storeOf(), sha('1'))).toMatchObject({ deliveryId: 'verify-1', attempt: 1 });
  });

  it("re-runs: attempt 1's failure is ignored, attempt 2's success acted on once, attempt 3 a duplicate", async () => {
    const failed = await deliver(a, 'verify-2-attempt-1', workflowRun({ sha: sha('2'), conclusion: 'failure' }));
    expect([failed.status, failed.body['ignored']]).toEqual([200, 'not-success']);
    const rerun = await deliver(b, 'verify-2-attempt-2', workflowRun({ sha: sha('2'), attempt: 2 }));
    expect(rerun).toMatchObject({ status: 202, body: { claimed: true, attempt: 1, takeover: false } });
    await b.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-2-attempt-2');
    const again = await deliver(a, 'verify-2-attempt-3', workflowRun({ sha: sha('2'), attempt: 3 }));
    expect(again.body).toMatchObject({ duplicate: true, handledBy: 'verify-2-attempt-2' });
  });

  it('a bad signature is 401, a malformed payload 400, another event 200; none claims', async () => {
    const forged = await deliver(a, 'forged', workflowRun({ sha: sha('3') }), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const malformed = workflowRun({ sha: sha('3') });
    malformed['workflow_run']['head_sha'] = 'abc123';
    expect(await deliver(b, 'malformed', malformed)).toMatchObject({
      status: 400,
      body: { field: 'workflow_run.head_sha' },
    });
    expect(await deliver(a, 'a-push', { ref: 'refs/heads/master' }, { event: 'push' })).toMatchObject({
      status: 200,
      body: { ignored: 'not-workflow-run' },
    });
    expect(await ledger(storeOf(), sha('3'))).toBeNull();
  });

  it('a holder killed during its lease: a redelivery after the lease ends is taken over exactly once', async () => {
    // The victim would work for 10 minutes; its lease is 2 seconds.
    const victim = await startWorker('victim', storeOf(), { LEASE_MS: '2000', WORK_DELAY_MS: '600000' });
    mine.push(victim);
    const payload = workflowRun({ sha: sha('4') });
    const claimed = await deliver(victim, 'verify-4', payload);
    expect(claimed).toMatchObject({ status: 202, body: { claimed: true, attempt: 1 } });
    victim.kill('SIGKILL');
    // Its lease as the store holds it (it may have renewed it once before the kill).
    const leaseEnd = Date.parse((await ledger(storeOf(), sha('4')))?.['leaseExpiresAt']);
    // While the lease runs, the redelivery finds the claim in progress.
    const early = await deliver(a, 'verify-4', payload);
    if (Date.now() < leaseEnd) expect(early.status).toBe(409);
    // Wait for the lease to end (a deadline, not a measurement), then GitHub's redelivery goes to both.
    const wait = leaseEnd - Date.now() + 50;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const replies = await Promise.all([deliver(a, 'verify-4', payload), deliver(b, 'verify-4', payload)]);
    const takers = replies.filter((reply) => reply.status === 202);
    expect(takers).toHaveLength(1);
    expect(takers[0]?.body).toMatchObject({ claimed: true, takeover: true, attempt: 2 });
    const taker = replies[0]?.status === 202 ? a : b;
    await taker.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-4');
    expect(await ledger(storeOf(), sha('4'))).toMatchObject({
      deliveryId: 'verify-4',
      attempt: 2,
      outcome: 'not-implemented',
    });
    expect((await deliver(b, 'verify-4', payload)).body).toMatchObject({ duplicate: true, handledBy: 'verify-4' });
  });

  it('a holder paused past its lease finds the claim taken over: it records nothing', async () => {
    // Its work would take 5 s and its lease is 1 s; it is stopped (a long GC pause, a stalled host)
    // right after its answer, so its work cannot go on until it is continued.
    const sleeper = await startWorker('sleeper', storeOf(), { LEASE_MS: '1000', WORK_DELAY_MS: '5000' });
    mine.push(sleeper);
    const payload = workflowRun({ sha: sha('5') });
    const claimed = await deliver(sleeper, 'verify-5', payload);
    sleeper.kill('SIGSTOP');
    expect(claimed).toMatchObject({ status: 202, body: { claimed: true, attempt: 1 } });
    // Its lease as the store holds it: stopped, it renews nothing more.
    const wait = Date.parse((await ledger(storeOf(), sha('5')))?.['leaseExpiresAt']) - Date.now() + 50;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const taken = await deliver(a, 'verify-5', payload);
    expect(taken).toMatchObject({ status: 202, body: { claimed: true, takeover: true, attempt: 2 } });
    await a.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-5');
    sleeper.kill('SIGCONT');
    const lost = await sleeper.waitFor((line) => line['step'] === 'lease-lost');
    expect(lost).toMatchObject({ delivery: 'verify-5', attempt: 1, message: expect.stringContaining('attempt 2') });
    expect(sleeper.lines.filter((line) => line['step'] === 'recorded')).toEqual([]);
    expect(await ledger(storeOf(), sha('5'))).toMatchObject({ deliveryId: 'verify-5', attempt: 2 });
    sleeper.kill();
  });

  it('a holder whose work outlasts its lease renews it: a redelivery meanwhile finds it in progress', async () => {
    // Its work takes 2.5 s and its lease is 1 s: it renews the lease every third of it.
    const slow = await startWorker('slow', storeOf(), { LEASE_MS: '1000', WORK_DELAY_MS: '2500' });
    mine.push(slow);
    const payload = workflowRun({ sha: sha('6') });
    const claimed = await deliver(slow, 'verify-6', payload);
    expect(claimed).toMatchObject({ status: 202, body: { claimed: true, attempt: 1 } });
    // Past the lease's first end, the claim is still the holder's.
    const wait = Date.parse(claimed.body['leaseExpiresAt']) - Date.now() + 300;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const redelivered = await deliver(a, 'verify-6', payload);
    const inProgress = { status: 409, body: { holder: 'verify-6', attempt: 1 } };
    if (redelivered.status !== 200) expect(redelivered).toMatchObject(inProgress);
    await slow.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-6');
    const recorded = { deliveryId: 'verify-6', attempt: 1, outcome: 'not-implemented' };
    expect(await ledger(storeOf(), sha('6'))).toMatchObject(recorded);
    slow.kill();
  });

  it('across it all, each verification commit was recorded once, and nothing else was', () => {
    const shas = logged('recorded').map((line) => line['sha']);
    expect(shas.sort()).toEqual([sha('1'), sha('2'), sha('4'), sha('5'), sha('6')]);
    // The paused holder found its claim taken over (renewing it, or at its fenced write) and recorded nothing.
    expect(logged('lease-lost').map((line) => line['delivery'])).toEqual(['verify-5']);
  });
}
