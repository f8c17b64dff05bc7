/**
 * @module Which Jupyter is installed here: the project's `.venv/` first, then the first `jupyter` on
 * PATH, and which of JupyterLab, the classic notebook, nbconvert, kernelspec and nbclient it has.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable, pathDirs } from '../process/find-executable';
import { runCommand } from '../process/run-command';
import { installHint } from './install-hint';
import { VENV_DIR, venvBin } from './venv-layout';

/** A Jupyter installation as found on this machine. */
export interface JupyterInstall {
  /** `venv` when the project's `.venv` Jupyter is used, `path` when found on PATH. */
  source: 'venv' | 'path';
  /** Absolute path of the `jupyter` launcher; every subcommand is run through it. */
  jupyter: string;
  /** The Python that runs `jupyter` (read from its `#!` line); given to `tslab install --python`. */
  python: string;
  /** The project's `.venv/` folder, if it exists (whether or not it holds Jupyter). */
  venv?: string;
  /** `jupyter lab` (JupyterLab) launcher, if installed. */
  lab?: string;
  /** `jupyter notebook` launcher (the classic Notebook 6, or Notebook 7 that comes with JupyterLab 4), if installed. */
  notebook?: string;
  /** `jupyter nbconvert` launcher, if installed: needed to execute notebooks. */
  nbconvert?: string;
  /** `jupyter kernelspec` launcher (jupyter_client), if installed: needed to register the tslab kernel. */
  kernelspec?: string;
  /** nbclient's version, if importable (nbconvert executes notebooks through it). */
  nbclient?: string;
  /** Versions as printed by `jupyter --version` (`jupyterlab`, `notebook`, `nbconvert`, `nbclient`, ...). */
  versions: Record<string, string>;
}

/**
 * The interpreter of pip's `/bin/sh` trampoline, from its second line `'''exec' "/long/path/python" "$0" "$@"`
 * (quoted, so the path may hold spaces) or `'''exec' /path/python "$0" "$@"`.
 */
export function trampolinePython(line: string): string | undefined {
  const match = /exec' (?:"([^"]+)"|(\S+))/.exec(line);
  return match?.[1] ?? match?.[2];
}

/** The interpreter that runs a Python launcher script, from its `#!` line (pip's `/bin/sh` trampoline too). */
async function launcherPython(script: string): Promise<string | undefined> {
  let head: string;
  try {
    const file = await open(script, 'r');
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(1024), 0, 1024, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const [first = '', second = ''] = head.split('\n');
  if (!first.startsWith('#!')) return undefined;
  const [interpreter, argument] = first.slice(2).trim().split(/\s+/);
  if (interpreter === undefined) return undefined;
  // pip writes `#!/bin/sh` + `'''exec' "/long/path/python" "$0" "$@"` when the path is too long for a `#!` line.
  if (path.basename(interpreter) === 'sh') return trampolinePython(second);
  if (path.basename(interpreter) === 'env' && argument !== undefined) return findExecutable(argument);
  return interpreter;
}

/**
 * The Python on PATH. On Windows `python` (its installer puts it on PATH beside its Scripts\ folder,
 * where `jupyter.exe` is), else the `py` launcher: a system-wide Windows Python has no `python3`, and
 * a `python3.exe` there is likely the Microsoft Store's stub. Elsewhere `python3`, else `python`.
 */
async function pythonOnPath(): Promise<string> {
  const names = process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const name of names) {
    const found = await findExecutable(name);
    if (found !== undefined) return found;
  }
  return names[0] as string;
}

/** Parses `jupyter --version` ("name : version" lines; "not installed" dropped). */
function parseVersions(text: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([\w.-]+)\s*:\s*(\S.*?)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined && match[2] !== 'not installed') versions[match[1]] = match[2];
  }
  return versions;
}

/**
 * Detects Jupyter; resolves `undefined` when there is no `jupyter` at all. A subcommand `jupyter X`
 * is the program `jupyter-X` beside `jupyter` or on PATH, which is what is looked for.
 */
export async function findJupyter(): Promise<JupyterInstall | undefined> {
  const venv = existsSync(VENV_DIR) ? VENV_DIR : undefined;
  const fromVenv = venv === undefined ? undefined : await findExecutable('jupyter', [venvBin(venv)]);
  const jupyter = fromVenv ?? (await findExecutable('jupyter'));
  if (jupyter === undefined) return undefined;

  // `jupyter` looks for `jupyter-X` in its own folder first, then on PATH.
  const dirs = [path.dirname(jupyter), ...pathDirs()];
  const subcommand = (name: string) => findExecutable(`jupyter-${name}`, dirs);
  const [lab, notebook, nbconvert, kernelspec, python, version] = await Promise.all([
    subcommand('lab'),
    subcommand('notebook'),
    subcommand('nbconvert'),
    subcommand('kernelspec'),
    launcherPython(jupyter),
    runCommand(jupyter, ['--version'], { timeoutMs: 30_000 }),
  ]);
  const versions = parseVersions(version.stdout);
  // Without a readable `#!` line (Windows' jupyter.exe), the Python beside it (a venv's Scripts\), one
  // folder up (a system-wide Python's Scripts\ is inside its folder), or on PATH.
  const scripts = path.dirname(jupyter);
  const besideIt = async () =>
    (await findExecutable('python3', [scripts])) ??
    (await findExecutable('python', [scripts])) ??
    (process.platform === 'win32' ? await findExecutable('python', [path.dirname(scripts)]) : undefined) ??
    (await pythonOnPath());
  return {
    source: fromVenv !== undefined ? 'venv' : 'path',
    jupyter,
    python: python ?? (await besideIt()),
    ...(venv !== undefined ? { venv } : {}),
    ...(lab !== undefined ? { lab } : {}),
    ...(notebook !== undefined ? { notebook } : {}),
    ...(nbconvert !== undefined ? { nbconvert } : {}),
    ...(kernelspec !== undefined ? { kernelspec } : {}),
    ...(versions.nbclient !== undefined ? { nbclient: versions.nbclient } : {}),
    versions,
  };
}

/** {@link findJupyter} once per process (it costs ~2 s: `jupyter --version`); forgotten when nothing was found. */
let installCache: Promise<JupyterInstall | undefined> | undefined;

/** {@link findJupyter}, cached for the process. */
export function jupyterInstall(): Promise<JupyterInstall | undefined> {
  installCache ??= findJupyter().then((found) => {
    if (found === undefined) installCache = undefined;
    return found;
  });
  return installCache;
}

/** Makes the next {@link jupyterInstall} look again (after a new `.venv`). */
export function forgetJupyterInstall(): void {
  installCache = undefined;
}

/** The installation, or an error that says what to install. */
export async function requireJupyter(what: string): Promise<JupyterInstall> {
  const install = await jupyterInstall();
  if (install === undefined) throw new Error(`${what}: Jupyter is not installed.\n${installHint()}`);
  return install;
}
