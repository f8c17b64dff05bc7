/** @module Peak resident memory of a process, read from Linux's /proc. */
import { readFileSync } from 'node:fs';

export function peakMemoryOf(pid: number | undefined): string {
  if (!pid) return 'unknown';
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MiB` : 'unknown';
  } catch {
    return 'unknown (no /proc)';
  }
}
