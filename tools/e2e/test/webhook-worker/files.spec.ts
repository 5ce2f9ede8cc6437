// Two workers of examples/webhook-worker on one state directory (scenarios.ts).
import * as path from 'node:path';
import { usingWorkerSite } from '../support/webhook-worker';
import { scenarios } from './scenarios';

jest.setTimeout(120_000);

const site = usingWorkerSite('webhook-files');

describe('two workers on one state directory', () => {
  const stateDir = () => path.join(site.work, 'state-files');
  scenarios(site, () => ({ RELEASE_GOVERNOR_STATE_DIR: stateDir() }));
});
