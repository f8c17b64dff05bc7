/**
 * @module Stopping a process together with its children: the process group it leads on POSIX (a
 * process spawned with `detached: true`), its process tree on Windows. In lib/src, as shared.ts, so
 * that lib (which can import nothing outside lib/src) and the scripts and tests (which import
 * lib/src) share one definition.
 */
import { spawnSync } from 'node:child_process';

/**
 * Sends `signal` to the process group that `pid` leads (POSIX; to `pid` alone if it leads none), or
 * ends its process tree with `taskkill /T /F` (Windows, where every signal ends it). Does nothing for
 * an undefined pid or processes already gone.
 */
export function signalProcessTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Whether a process of that pid is still running (signal 0 tests without sending anything). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any process of the group that `pid` leads is still running (POSIX), or `pid` itself
 * (Windows, which has no such groups).
 */
export function isGroupRunning(pid: number): boolean {
  return isRunning(process.platform === 'win32' ? pid : -pid);
}

/**
 * Stops the process tree that `pid` leads and waits until it is gone: SIGTERM to its group (POSIX),
 * then SIGKILL if it is still there after `graceInMs` (default 5 s); `taskkill /T /F` on Windows.
 */
export async function stopProcessTree(pid: number | undefined, options: { graceInMs?: number } = {}): Promise<void> {
  if (pid === undefined) return;
  signalProcessTree(pid, 'SIGTERM');
  const deadline = Date.now() + (options.graceInMs ?? 5000);
  while (isGroupRunning(pid)) {
    if (Date.now() >= deadline) {
      signalProcessTree(pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
