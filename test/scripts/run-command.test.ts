/** @module The shared process runner (scripts/process/run-command.ts): output, exit codes, a missing program, stdin, time limits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandError, isRunning, runCommand } from '../../scripts/process/run-command';

const node = (script: string) => [process.execPath, ['-e', script]] as const;

describe('runCommand', () => {
  test('collects stdout and stderr, passes stdin, reports the exit code and each line', async () => {
    const lines: string[] = [];
    const script = "process.stdin.pipe(process.stdout); process.stdin.on('end', () => { console.error('to stderr'); process.exitCode = 3; });";
    const result = await runCommand(...node(script), { input: 'one\ntwo', onLine: (line) => lines.push(line) });
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'one\ntwo');
    assert.equal(result.stderr, 'to stderr\n');
    assert.deepEqual(lines.sort(), ['one', 'to stderr', 'two']);
    assert.equal(result.timedOut, false);
  });

  test('a missing program resolves with code 127, as a shell says', async () => {
    const result = await runCommand('cvlab-no-such-program', ['--version']);
    assert.equal(result.code, 127);
    assert.match(result.stderr, /ENOENT/);
  });

  test('check: a non-zero exit rejects with the command and its output', async () => {
    const failed = runCommand(...node("console.error('it broke'); process.exit(2)"), { check: true });
    await assert.rejects(failed, (error: unknown) => error instanceof CommandError && /exit code 2/.test(error.message) && /it broke/.test(error.message));
  });

  test('the time limit stops the program and the programs it started', { skip: process.platform === 'win32' && 'process groups are POSIX' }, async () => {
    const grandchild = "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })";
    const script = `const c = ${grandchild}; console.log(c.pid); setInterval(() => {}, 1000);`;
    const result = await runCommand(...node(script), { timeoutMs: 1500 });
    assert.equal(result.timedOut, true);
    assert.notEqual(result.code, 0);
    const pid = Number(result.stdout.trim());
    assert.ok(pid > 0, result.stdout);
    for (let i = 0; i < 50 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isRunning(pid), false, 'the grandchild was stopped with its parent');
  });
});
