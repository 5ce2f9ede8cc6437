import { unrunnableStep, type VerifierStep } from './verifier';

// The schema refuses such commands first (the binary's tests show that); this is the verifier's
// own guard, for any command that reaches it some other way.
describe('unrunnableStep', () => {
  const step = (command: string | null): VerifierStep => ({ name: 'test_command', command, timeoutSeconds: null });

  test.each(['touch ran\u0000', 'echo \u001b[2K', 'a\rb', 'a\u0085b', 'a\u007f'])('%j cannot be run', (command) => {
    expect(unrunnableStep([step('true'), step(command)])?.command).toBe(command);
  });

  test.each(['npm test', 'make\tcheck', 'npm ci\nnpm test', 'echo café \u202e', null])('%j can', (command) => {
    expect(unrunnableStep([step(command)])).toBeUndefined();
  });
});
