/** @module A child process's output collected as it comes, and a wait for the line that says it started. */
import type { ChildProcess } from 'node:child_process';

export interface WatchedChild {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** The first match of `pattern` in its output; rejects if it exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray>;
}

export function watchChild(child: ChildProcess): WatchedChild {
  let log = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    log += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => log,
    exited,
    waitFor(pattern, what, timeoutMs) {
      return new Promise<RegExpExecArray>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          const match = pattern.exec(log);
          if (match) {
            done();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${log}`));
        }, timeoutMs);
        listeners.add(check);
        check();
        void exited.then((code) => {
          done();
          reject(new Error(`${what} exited (code ${code}) before starting:\n${log}`));
        });
      });
    },
  };
}
