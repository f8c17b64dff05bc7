/**
 * @module The one way the scripts and the tests run another program and wait for it: no shell (the
 * arguments are a list, nothing to quote), its output kept or passed through, and a time limit that
 * stops the program together with what it started.
 */
import { spawn } from 'node:child_process';
import { signalProcessTree } from '../../lib/src/process-tree';

export interface CommandResult {
  /** Exit code; null when a signal ended it; 127 when the program was not found and 126 when it could not be started (as a shell says). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The time limit stopped it. */
  timedOut: boolean;
  durationMs: number;
  /** The command line, for messages. */
  command: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Time limit: on POSIX, SIGINT to the program and its children (nbconvert then stops its kernel
   * cleanly), SIGKILL 10 s later; on Windows (no signals) `taskkill /T /F` ends the tree at once.
   */
  timeoutMs?: number;
  /** Written to the program's stdin; without it stdin is empty. */
  input?: string | Buffer;
  /**
   * `collect` (default): the output is kept in the result. `echo`: kept and copied to ours as it
   * comes (long installs). `inherit`: the program gets our terminal, so Ctrl-C reaches it (Jupyter);
   * nothing is kept.
   */
  output?: 'collect' | 'echo' | 'inherit';
  /** Called with each line of output (stdout and stderr) as it comes. */
  onLine?: (line: string) => void;
  /** Reject with a {@link CommandError} unless the exit code is 0. */
  check?: boolean;
}

const KILL_GRACE_MS = 10_000;

/** A failed command, with its output's tail in the message. */
export class CommandError extends Error {
  constructor(readonly result: CommandResult) {
    const how = result.timedOut ? 'timed out' : result.signal ? `signal ${result.signal}` : `exit code ${result.code}`;
    super(`${result.command} failed (${how}, ${result.durationMs} ms):\n${outputTail(result.stderr || result.stdout)}`);
    this.name = 'CommandError';
  }
}

/** The last `max` characters of a program's output, for messages. */
export function outputTail(text: string, max = 4000): string {
  const trimmed = text.trimEnd();
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed;
}

// One definition for lib, the scripts and the tests (lib can import nothing outside lib/src).
export { isRunning, signalProcessTree } from '../../lib/src/process-tree';

function displayCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./\\-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** Runs `file` with `args` and resolves when it ends; never rejects unless `check` is set. */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const output = options.output ?? 'collect';
  const started = Date.now();
  const command = displayCommand(file, args);
  // A program under a time limit leads its own process group, so that stopping it stops its children too.
  const ownGroup = options.timeoutMs !== undefined && output !== 'inherit' && process.platform !== 'win32';
  const child = spawn(file, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: output === 'inherit' ? 'inherit' : [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: ownGroup,
    windowsHide: true,
  });
  let stdout = '';
  let stderr = '';
  const partialLines = { stdout: '', stderr: '' };
  const collect = (stream: 'stdout' | 'stderr', chunk: string) => {
    if (stream === 'stdout') stdout += chunk;
    else stderr += chunk;
    if (output === 'echo') process[stream].write(chunk);
    if (!options.onLine) return;
    const lines = (partialLines[stream] + chunk).split('\n');
    partialLines[stream] = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => collect('stdout', chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => collect('stderr', chunk));
  child.stdin?.on('error', () => undefined); // the program may exit without reading its input
  child.stdin?.end(options.input);

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          signalProcessTree(child.pid, 'SIGINT');
          killTimer = setTimeout(() => signalProcessTree(child.pid, 'SIGKILL'), KILL_GRACE_MS);
        }, options.timeoutMs);

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (result: Omit<CommandResult, 'timedOut' | 'durationMs' | 'command'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (options.onLine) for (const rest of Object.values(partialLines)) if (rest !== '') options.onLine(rest);
      const full: CommandResult = { ...result, timedOut, durationMs: Date.now() - started, command };
      if (options.check && full.code !== 0) reject(new CommandError(full));
      else resolve(full);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      settle({ code: error.code === 'ENOENT' ? 127 : 126, signal: null, stdout, stderr: `${stderr}${file}: ${error.message}` });
    });
    child.on('close', (code, signal) => settle({ code, signal, stdout, stderr }));
  });
}
