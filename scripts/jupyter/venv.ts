/**
 * @module The fallback when no Jupyter is installed: JupyterLab installed by pip into the project's
 * `.venv/`, when pip can get it (PyPI or a wheel mirror).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findExecutable } from '../process/find-executable';
import { outputTail, runCommand } from '../process/run-command';
import { forgetJupyterInstall } from './find-jupyter';
import { installHint } from './install-hint';
import { VENV_DIR, venvBin } from './venv-layout';

const pipEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PIP_NO_INPUT: '1' });

/** The Python that makes the venv (Debian's needs `python3-venv`). */
async function basePython(): Promise<string> {
  return (await findExecutable('python3')) ?? (await findExecutable('python')) ?? 'python3';
}

/**
 * Whether pip can get JupyterLab here, answered within `timeoutMs`, never hanging: `pip download
 * --no-deps jupyterlab` with no retries, a 3 s socket timeout and a hard stop. It honours pip's own
 * configuration (index-url, extra-index-url, find-links), so a wheel mirror counts as well as PyPI.
 * Offline, pip fails at once ("No matching distribution").
 */
export async function canInstallJupyterLab(timeoutMs = 8_000): Promise<boolean> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cvlab-pip-probe-'));
  try {
    const probe = await runCommand(
      await basePython(),
      ['-m', 'pip', 'download', '--no-deps', '--retries', '0', '--timeout', '3', '--disable-pip-version-check', '--quiet', '-d', dir, 'jupyterlab'],
      { timeoutMs, env: pipEnv() },
    );
    return !probe.timedOut && probe.code === 0 && (await readdir(dir)).some((file) => file.startsWith('jupyterlab-'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Creates the venv (default: the project's `.venv/`) and `pip install jupyterlab` there when
 * {@link canInstallJupyterLab}; otherwise rejects at once with the install hint. Jupyter discovery
 * then prefers that venv. Returns the venv folder.
 */
export async function createJupyterLabVenv(dir: string = VENV_DIR): Promise<string> {
  if (!(await canInstallJupyterLab())) {
    throw new Error(`pip cannot get jupyterlab here (no PyPI or wheel mirror reachable).\n${installHint()}`);
  }
  let python = await findExecutable('python', [venvBin(dir)]);
  if (python === undefined) {
    const base = await basePython();
    const made = await runCommand(base, ['-m', 'venv', dir], { timeoutMs: 300_000, output: 'echo' });
    if (made.code !== 0) throw new Error(`\`${base} -m venv ${dir}\` failed (on Debian: apt-get install python3-venv):\n${outputTail(made.stderr)}`);
    python = (await findExecutable('python', [venvBin(dir)])) ?? path.join(venvBin(dir), 'python');
  }
  // --retries 1: pip's default 5 retries with back-off cost ~7 s per package when PyPI's host does not
  // resolve but a wheel mirror (extra-index-url / find-links) serves it: 12 min instead of ~1 for jupyterlab.
  await runCommand(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', 'jupyterlab'], {
    timeoutMs: 1_800_000,
    output: 'echo',
    env: pipEnv(),
    check: true,
  });
  forgetJupyterInstall();
  return dir;
}
