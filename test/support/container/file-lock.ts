/** @module A lock between processes: a folder holding its owner's pid; a lock whose owner is gone is taken over. */
import { readFileSync } from 'node:fs';
import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning } from '../../../scripts/process/run-command';

export type LogFn = (line: string) => void;

/** The lock's owner, or NaN while its pid file is being written or removed. */
function ownerOf(lockDir: string): number {
  try {
    return Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
  } catch {
    return NaN;
  }
}

/** Takes the lock, waiting up to `timeoutMs` for its owner; resolves with the function that releases it. */
export async function acquireLock(lockDir: string, log: LogFn, timeoutMs = 1_800_000): Promise<() => Promise<void>> {
  const started = Date.now();
  let warned = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return async () => {
        await rm(path.join(lockDir, 'pid'), { force: true });
        await rmdir(lockDir).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(lockDir);
    // Without a pid after a minute, its owner died between making the folder and writing the pid.
    const ownerless = async () => Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > 60_000;
    const stale = Number.isInteger(owner) && owner > 0 ? !isRunning(owner) : await ownerless();
    if (stale) {
      log(`taking over the stale lock ${lockDir}`);
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!warned) log(`waiting for process ${owner} that holds ${lockDir}`);
    warned = true;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${lockDir} (held by ${owner})`);
    await sleep(1000);
  }
}
