export { main, runCli } from './cli';
export type { RunOptions } from './cli';
