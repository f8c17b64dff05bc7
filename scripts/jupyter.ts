/**
 * @module Runs the lab's Jupyter notebooks on the tslab TypeScript kernel, headless.
 *
 * - {@link findJupyter}: which Jupyter is installed (project `.venv/` first, then PATH).
 * - {@link ensureTslabKernel}: registers the project's own tslab (node_modules/.bin/tslab) as the `tslab` kernel.
 * - {@link executeNotebook}: `jupyter nbconvert --to notebook --execute` + an HTML export that draws plotly offline.
 * - {@link installHint}: what to tell a user who has no Jupyter.
 * - {@link canInstallJupyterLab} / {@link createJupyterLabVenv}: JupyterLab in `.venv/` when pip can get it.
 *
 * How the pieces fit (see the notes at each function):
 * - tslab compiles a notebook with rootDir = the kernel's cwd, which Jupyter sets to the notebook's folder;
 *   so notebooks import the lab's code as the package `cvlab` (lib/, linked into node_modules by npm
 *   workspaces), never as `../lib/...`. Module resolution walks up from the notebook's folder to the
 *   project's node_modules, for the type-check and for `require` alike.
 * - tslab reports a failing cell only as text on the cell's stderr stream plus an execute_reply with
 *   status "error" and no ename/evalue/traceback. {@link executeNotebook} adds nbclient hooks that turn
 *   that into a real `error` output, skip the cells after it, and still write the executed notebook.
 *
 * CLI: `npx tsx scripts/jupyter.ts find | install-kernel | hint | can-install-lab | venv [DIR] |
 *       execute NOTEBOOK... [--out DIR] [--timeout SECONDS] [--trust]`
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fsp, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The project root (this file lives in `<root>/scripts/`). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** The project's own tslab launcher; the kernelspec must point here, not at a global tslab. */
export const TSLAB_BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tslab');
/** The project-local Python venv (git-ignored) that {@link createJupyterLabVenv} makes. */
export const VENV_DIR = path.join(PROJECT_ROOT, '.venv');
/** Debian packages for headless execution and the browser check, one per line. */
export const APT_PACKAGES_FILE = path.join(PROJECT_ROOT, 'scripts', 'apt-packages.txt');

/** A Jupyter installation as found on this machine. */
export interface JupyterInstall {
  /** `venv` when the project's `.venv/bin/jupyter` is used, `path` when found on PATH. */
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
  /** `jupyter nbconvert` launcher, if installed: needed by {@link executeNotebook}. */
  nbconvert?: string;
  /** `jupyter kernelspec` launcher (jupyter_client), if installed: needed by {@link ensureTslabKernel}. */
  kernelspec?: string;
  /** nbclient's version, if importable (nbconvert executes notebooks through it). */
  nbclient?: string;
  /** Versions as printed by `jupyter --version` (`jupyterlab`, `notebook`, `nbconvert`, `nbclient`, ...). */
  versions: Record<string, string>;
}

/** A kernelspec as listed by `jupyter kernelspec list --json`. */
export interface KernelSpec {
  name: string;
  resourceDir: string;
  argv: string[];
  displayName: string;
  language: string;
  env: Record<string, string>;
}

/** Options of {@link executeNotebook}. */
export interface ExecuteOptions {
  /** Per-cell timeout (nbclient's ExecutePreprocessor.timeout). A cell over it is interrupted and recorded as an error. */
  timeoutInSeconds: number;
  /** Extra environment for nbconvert and so for the kernel (the kernel inherits nbconvert's environment). */
  env?: Record<string, string>;
  /** Kernel start-up timeout; default 120 s (a tslab kernel starts in ~2 s warm, more on a cold disk). */
  startupTimeoutInSeconds?: number;
  /** Kill nbconvert after this long overall; default (code cells × timeout) + 180 s. */
  totalTimeoutInSeconds?: number;
  /**
   * Sign the executed notebook as trusted for this user (nbformat's `jupyter trust`), so the classic
   * notebook and JupyterLab run its chart scripts when it is opened. Default false: an executed
   * notebook opens untrusted, its text/html outputs shown without their scripts (no chart) until
   * its cells are re-run or it is trusted.
   */
  trust?: boolean;
}

/** One failed cell of an executed notebook. */
export interface CellError {
  /** Index of the cell in the notebook (markdown cells included). */
  cellIndex: number;
  ename: string;
  evalue: string;
  /** The cell's source, for messages. */
  source: string;
}

/** Thrown by {@link executeNotebook} when a cell failed or nbconvert itself failed. */
export class NotebookExecutionError extends Error {
  constructor(
    message: string,
    /** The failed cells (empty when nbconvert failed before writing the notebook). */
    readonly cells: CellError[],
    /** The executed notebook, if it was written (it holds the error outputs). */
    readonly notebook?: string,
    /** The HTML export, if it was written. */
    readonly html?: string,
    /** nbconvert's stderr (tail). */
    readonly stderr?: string,
  ) {
    super(message);
    this.name = 'NotebookExecutionError';
  }
}

// ---------------------------------------------------------------------------------------------
// processes

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Hard limit: SIGINT, then SIGKILL 10 s later, to the whole process group. */
  timeoutMs?: number;
  /** Echo the child's output to ours as it comes (for long installs). */
  echo?: boolean;
}

/** Runs a command without a shell, collecting its output; never rejects on a non-zero exit. */
function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a time-out can stop nbconvert and the kernel it started.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (options.echo) process.stdout.write(s);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (options.echo) process.stderr.write(s);
    });
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            // SIGINT first: nbconvert then shuts its kernel down cleanly.
            signalGroup('SIGINT');
            killTimer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
          }, options.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return false;
    await fsp.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable `name` in `dirs`. */
async function findIn(dirs: string[], name: string): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pathDirs(): string[] {
  return (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
}

function tail(text: string, chars = 4000): string {
  return text.length <= chars ? text : `...${text.slice(-chars)}`;
}

// ---------------------------------------------------------------------------------------------
// findJupyter

/** The interpreter that runs a Python launcher script, from its `#!` line (pip's `/bin/sh` trampoline too). */
async function launcherPython(script: string): Promise<string | undefined> {
  let head: string;
  try {
    const fh = await fsp.open(script, 'r');
    try {
      const buf = Buffer.alloc(1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
  const [first = '', second = ''] = head.split('\n');
  if (!first.startsWith('#!')) return undefined;
  const words = first.slice(2).trim().split(/\s+/);
  if (words[0] === '/bin/sh') {
    // pip writes `#!/bin/sh` + `'''exec' "/long/path/python" "$0" "$@"` when the path is too long.
    const m = /exec' "?([^" ]+)"?/.exec(second);
    return m?.[1];
  }
  if (words[0] !== undefined && path.basename(words[0]) === 'env' && words[1] !== undefined) {
    return findIn(pathDirs(), words[1]);
  }
  return words[0];
}

/** Parses `jupyter --version` ("name : version" lines; "not installed" dropped). */
function parseVersions(text: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\w.-]+)\s*:\s*(\S.*?)\s*$/.exec(line);
    if (m && m[1] !== undefined && m[2] !== undefined && m[2] !== 'not installed') versions[m[1]] = m[2];
  }
  return versions;
}

/**
 * Detects Jupyter: the project's `.venv/bin/jupyter` first (made by {@link createJupyterLabVenv}),
 * then the first `jupyter` on PATH (Debian's is /usr/bin/jupyter). Reports which of JupyterLab,
 * the classic notebook, nbconvert, kernelspec and nbclient that installation has.
 * A subcommand `jupyter X` is the executable `jupyter-X` beside `jupyter` or on PATH, which is
 * what is looked for. Resolves `undefined` when there is no `jupyter` at all.
 */
export async function findJupyter(): Promise<JupyterInstall | undefined> {
  const venv = existsSync(VENV_DIR) ? VENV_DIR : undefined;
  const venvBin = path.join(VENV_DIR, 'bin');
  let source: JupyterInstall['source'] = 'path';
  let jupyter: string | undefined;
  if (venv !== undefined) {
    jupyter = await findIn([venvBin], 'jupyter');
    if (jupyter !== undefined) source = 'venv';
  }
  jupyter ??= await findIn(pathDirs(), 'jupyter');
  if (jupyter === undefined) return undefined;

  // `jupyter` looks for `jupyter-X` in its own folder first, then on PATH.
  const dirs = [path.dirname(jupyter), ...pathDirs()];
  const sub = (name: string) => findIn(dirs, `jupyter-${name}`);
  const [lab, notebook, nbconvert, kernelspec, python, version] = await Promise.all([
    sub('lab'),
    sub('notebook'),
    sub('nbconvert'),
    sub('kernelspec'),
    launcherPython(jupyter),
    run(jupyter, ['--version'], { timeoutMs: 30_000 }),
  ]);
  const versions = parseVersions(version.stdout);
  const venvPython = source === 'venv' ? path.join(venvBin, 'python') : undefined;
  return {
    source,
    jupyter,
    python: python ?? venvPython ?? '/usr/bin/python3',
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

/** {@link findJupyter}, cached for the process (a new `.venv` resets it). */
export function jupyterInstall(): Promise<JupyterInstall | undefined> {
  installCache ??= findJupyter().then((found) => {
    if (found === undefined) installCache = undefined;
    return found;
  });
  return installCache;
}

async function requireJupyter(what: string): Promise<JupyterInstall> {
  const install = await jupyterInstall();
  if (install === undefined) throw new Error(`${what}: Jupyter is not installed.\n${installHint()}`);
  return install;
}

// ---------------------------------------------------------------------------------------------
// kernelspec

/** Lists kernelspecs (`jupyter kernelspec list --json`; its stderr warnings are ignored). */
export async function listKernelSpecs(install?: JupyterInstall): Promise<KernelSpec[]> {
  const jup = install ?? (await requireJupyter('listKernelSpecs'));
  const res = await run(jup.jupyter, ['kernelspec', 'list', '--json'], { timeoutMs: 60_000 });
  if (res.code !== 0) {
    throw new Error(`jupyter kernelspec list failed (exit ${res.code}):\n${tail(res.stderr)}`);
  }
  const parsed = JSON.parse(res.stdout) as {
    kernelspecs: Record<
      string,
      { resource_dir: string; spec: { argv: string[]; display_name: string; language: string; env?: Record<string, string> } }
    >;
  };
  return Object.entries(parsed.kernelspecs).map(([name, k]) => ({
    name,
    resourceDir: k.resource_dir,
    argv: k.spec.argv,
    displayName: k.spec.display_name,
    language: k.spec.language,
    env: k.spec.env ?? {},
  }));
}

/** True for a TypeScript (not `--js`) tslab kernelspec that starts this project's node_modules/.bin/tslab. */
function isProjectTslab(spec: KernelSpec): boolean {
  return spec.argv[0] === TSLAB_BIN && spec.argv[1] === 'kernel' && !spec.argv.includes('--js');
}

/** The registered kernelspec that runs this project's tslab (TypeScript), if any. */
export async function findTslabKernel(install?: JupyterInstall): Promise<KernelSpec | undefined> {
  const specs = await listKernelSpecs(install);
  return specs.find((s) => s.name === 'tslab' && isProjectTslab(s)) ?? specs.find(isProjectTslab);
}

/**
 * Registers the `tslab` (TypeScript) and `jslab` kernels for the current user, pointing at the
 * project's node_modules/.bin/tslab by absolute path, so Jupyter never starts a global tslab.
 * Idempotent: does nothing when `jupyter kernelspec list --json` already shows that spec.
 *
 * Runs `node_modules/.bin/tslab install --python=<jupyter's python> --binary=<abs tslab> --user`.
 * (tslab's install.py imports IPython only for a temp dir: on Debian that is `python3-ipython`.
 * If it is missing, the same kernel.json is written here and installed with
 * `jupyter kernelspec install --user --name tslab`.)
 *
 * Why kernels started from notebooks/ use the project's packages: Jupyter starts a kernel with
 * cwd = the notebook's folder; tslab type-checks and `require`s from there, walking up to the
 * project's node_modules (where `cvlab` links to lib/). tslab also hands over to the tslab found
 * in the nearest node_modules above its cwd, whichever binary Jupyter started. The kernel needs
 * `node` on the PATH of the process that starts Jupyter (the launcher is `#!/usr/bin/env node`).
 */
export async function ensureTslabKernel(): Promise<void> {
  await tslabKernelSpec(await requireJupyter('ensureTslabKernel'));
}

/** {@link ensureTslabKernelSpec} once per process (ensureTslabKernel and executeNotebook share it). */
let kernelCache: Promise<KernelSpec> | undefined;

function tslabKernelSpec(install: JupyterInstall): Promise<KernelSpec> {
  kernelCache ??= ensureTslabKernelSpec(install).catch((err: unknown) => {
    kernelCache = undefined;
    throw err;
  });
  return kernelCache;
}

/** {@link ensureTslabKernel}, returning the spec. */
async function ensureTslabKernelSpec(install: JupyterInstall): Promise<KernelSpec> {
  if (install.kernelspec === undefined) {
    throw new Error(`ensureTslabKernel: \`jupyter kernelspec\` is missing (jupyter-client).\n${installHint()}`);
  }
  if (!existsSync(TSLAB_BIN)) {
    throw new Error(`ensureTslabKernel: ${TSLAB_BIN} is missing: run \`npm ci\` first.`);
  }
  const existing = await findTslabKernel(install);
  if (existing !== undefined) return existing;

  const res = await run(
    TSLAB_BIN,
    ['install', `--python=${install.python}`, `--binary=${TSLAB_BIN}`, '--user'],
    { timeoutMs: 120_000 },
  );
  if (res.code !== 0) {
    // Most likely "jupyter is not installed in this Python." (no IPython): install the same spec directly.
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tslab-kernelspec-'));
    try {
      const spec = {
        argv: [TSLAB_BIN, 'kernel', '--config-path', '{connection_file}'],
        display_name: 'TypeScript',
        language: 'typescript',
      };
      await fsp.writeFile(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 1));
      const direct = await run(install.jupyter, ['kernelspec', 'install', '--user', '--name', 'tslab', dir], {
        timeoutMs: 60_000,
      });
      if (direct.code !== 0) {
        throw new Error(
          `ensureTslabKernel: \`tslab install\` failed:\n${tail(res.stdout + res.stderr)}\n` +
            `and \`jupyter kernelspec install\` failed:\n${tail(direct.stderr)}`,
        );
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
  const installed = await findTslabKernel(install);
  if (installed === undefined) {
    throw new Error('ensureTslabKernel: the tslab kernelspec is still not listed after installing it.');
  }
  return installed;
}

// ---------------------------------------------------------------------------------------------
// executeNotebook

/**
 * nbclient hooks for tslab, loaded with `jupyter nbconvert --config <this file>`.
 * - tslab sends no execute_input, so cells get no execution_count: take it from the execute_reply.
 * - A failing tslab cell has only stderr text and an execute_reply {status: "error"} with no ename:
 *   add an `error` output built from that text, and tag the later code cells `skip-execution`
 *   (nbclient skips them), so the run stops at the first error but the notebook is still written.
 *   (tslab also aborts requests that reach it within 200 ms of an error, so running on is useless.)
 * - A cell over the timeout is interrupted (SIGINT: tslab breaks out of the cell) and recorded the same way.
 */
function nbclientHooks(timeoutInSeconds: number): string {
  return `# Generated by scripts/jupyter.ts (executeNotebook) for one nbconvert run.
import re
from nbformat.v4 import new_output

_run = {}

def _notebook_start(notebook=None, **kwargs):
    _run["nb"] = notebook

def _cell_executed(cell=None, cell_index=None, execute_reply=None, **kwargs):
    content = (execute_reply or {}).get("content") or {}
    count = content.get("execution_count")
    if isinstance(count, int):
        cell["execution_count"] = count

def _cell_error(cell=None, cell_index=None, execute_reply=None, **kwargs):
    content = (execute_reply or {}).get("content") or {}
    stderr = "".join(
        o.get("text", "") for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr")
    lines = [l for l in stderr.splitlines() if l.strip()]
    ename = content.get("ename") or ""
    evalue = content.get("evalue") or ""
    if not ename:
        compile_errors = [l for l in lines if re.match(r"^\\d+:\\d+ - ", l)]
        thrown = [m for m in (re.match(r"^([A-Za-z_$][\\w$]*): (.*)$", l) for l in lines) if m]
        if compile_errors:
            ename, evalue = "TypeScriptError", "\\n".join(compile_errors)
        elif thrown:
            ename, evalue = thrown[0].group(1), thrown[0].group(2)
        else:
            ename, evalue = "TslabError", (lines[-1] if lines else "the cell failed")
    traceback = content.get("traceback") or stderr.splitlines() or [ename + ": " + evalue]
    if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        cell.outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=traceback))
    nb = _run.get("nb")
    if nb is not None and cell_index is not None:
        for later in nb.cells[cell_index + 1:]:
            if later.get("cell_type") == "code":
                later["outputs"] = []
                later["execution_count"] = None
                tags = later.setdefault("metadata", {}).setdefault("tags", [])
                if "skip-execution" not in tags:
                    tags.append("skip-execution")

c.ExecutePreprocessor.on_notebook_start = _notebook_start
c.ExecutePreprocessor.on_cell_executed = _cell_executed
c.ExecutePreprocessor.on_cell_error = _cell_error
c.ExecutePreprocessor.allow_errors = True
c.ExecutePreprocessor.skip_cells_with_tag = "skip-execution"
c.ExecutePreprocessor.interrupt_on_timeout = True
c.ExecutePreprocessor.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": "the cell did not finish within ${timeoutInSeconds} s (interrupted)",
    "traceback": ["CellTimeoutError: the cell did not finish within ${timeoutInSeconds} s (interrupted)"],
}
`;
}

interface NotebookJson {
  cells: Array<{
    cell_type: string;
    source: string | string[];
    outputs?: Array<{ output_type: string; ename?: string; evalue?: string }>;
  }>;
  metadata?: { kernelspec?: { name?: string } };
}

function joinSource(source: string | string[]): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** The `error` outputs of an executed notebook. */
export function notebookErrors(nb: NotebookJson): CellError[] {
  const errors: CellError[] = [];
  nb.cells.forEach((cell, cellIndex) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'error') {
        errors.push({ cellIndex, ename: out.ename ?? '', evalue: out.evalue ?? '', source: joinSource(cell.source) });
      }
    }
  });
  return errors;
}

/**
 * Executes a tslab notebook headless and exports it:
 * `jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=<tslab spec>
 *  --ExecutePreprocessor.timeout=<s> --config <hooks> --output-dir <outputDir> <input>`, then
 * `jupyter nbconvert --to html --HTMLExporter.sanitize_html=False` on the executed notebook.
 *
 * - The kernel's cwd is the input notebook's folder (nbconvert's default), so `cvlab` and the other
 *   packages resolve from the project's node_modules for notebooks anywhere inside the project.
 * - The notebook's own kernelspec metadata is overridden with the project's tslab kernel.
 * - Writes `<outputDir>/<name>.ipynb` and `<outputDir>/<name>.html`, even when a cell fails
 *   (the failure is an `error` output there); then rejects with {@link NotebookExecutionError}.
 * - The HTML keeps `<script>`s of text/html outputs (sanitize_html=False, nbconvert's default, set
 *   explicitly), which is what draws plotly charts when the file is opened, offline included.
 */
export async function executeNotebook(
  input: string,
  outputDir: string,
  options: ExecuteOptions,
): Promise<{ notebook: string; html: string }> {
  const install = await requireJupyter('executeNotebook');
  if (install.nbconvert === undefined || install.nbclient === undefined) {
    throw new Error(`executeNotebook: nbconvert/nbclient are missing.\n${installHint()}`);
  }
  const kernel = await tslabKernelSpec(install);

  const inputPath = path.resolve(input);
  const outDir = path.resolve(outputDir);
  const name = path.basename(inputPath, '.ipynb');
  const notebook = path.join(outDir, `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  if (notebook === inputPath) throw new Error(`executeNotebook: outputDir would overwrite ${inputPath}`);
  const source = JSON.parse(await fsp.readFile(inputPath, 'utf8')) as NotebookJson;
  const codeCells = source.cells.filter((c) => c.cell_type === 'code').length;
  await fsp.mkdir(outDir, { recursive: true });
  await fsp.rm(notebook, { force: true });
  await fsp.rm(html, { force: true });

  const timeout = Math.max(1, Math.ceil(options.timeoutInSeconds));
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cvlab-nbconvert-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  try {
    const hooks = path.join(workDir, 'tslab_hooks.py');
    await fsp.writeFile(hooks, nbclientHooks(timeout));
    const total = (options.totalTimeoutInSeconds ?? codeCells * timeout + 180) * 1000;
    const exec = await run(
      install.jupyter,
      [
        'nbconvert', '--to', 'notebook', '--execute',
        `--config=${hooks}`,
        `--ExecutePreprocessor.kernel_name=${kernel.name}`,
        `--ExecutePreprocessor.timeout=${timeout}`,
        `--ExecutePreprocessor.startup_timeout=${options.startupTimeoutInSeconds ?? 120}`,
        `--output-dir=${outDir}`,
        `--output=${name}`,
        inputPath,
      ],
      { env, timeoutMs: total, cwd: PROJECT_ROOT },
    );
    const written = existsSync(notebook);
    if (exec.code !== 0 || !written) {
      throw new NotebookExecutionError(
        `nbconvert --execute ${path.relative(PROJECT_ROOT, inputPath)} ` +
          (exec.timedOut ? `was stopped after ${total / 1000} s` : `failed (exit ${exec.code ?? exec.signal})`) +
          `:\n${tail(exec.stderr)}`,
        [],
        written ? notebook : undefined,
        undefined,
        tail(exec.stderr),
      );
    }

    const exported = await run(
      install.jupyter,
      [
        'nbconvert', '--to', 'html',
        '--HTMLExporter.sanitize_html=False',
        `--output-dir=${outDir}`,
        `--output=${name}`,
        notebook,
      ],
      { env, timeoutMs: 300_000, cwd: PROJECT_ROOT },
    );
    if (exported.code !== 0 || !existsSync(html)) {
      throw new NotebookExecutionError(
        `nbconvert --to html failed (exit ${exported.code ?? exported.signal}):\n${tail(exported.stderr)}`,
        [],
        notebook,
        undefined,
        tail(exported.stderr),
      );
    }

    if (options.trust === true) {
      // Debian ships no `jupyter-trust` launcher: call nbformat's app directly.
      const signed = await run(
        install.python,
        ['-c', 'from nbformat.sign import TrustNotebookApp; TrustNotebookApp.launch_instance()', notebook],
        { env, timeoutMs: 120_000 },
      );
      if (signed.code !== 0) throw new Error(`signing ${notebook} failed:\n${tail(signed.stderr)}`);
    }

    const errors = notebookErrors(JSON.parse(await fsp.readFile(notebook, 'utf8')) as NotebookJson);
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new NotebookExecutionError(
        `${path.relative(PROJECT_ROOT, inputPath)}: cell ${first.cellIndex} failed: ${first.ename}: ${first.evalue}\n` +
          `--- cell source ---\n${first.source}\n--- executed notebook: ${notebook}`,
        errors,
        notebook,
        html,
      );
    }
    return { notebook, html };
  } finally {
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// install help, JupyterLab venv

/** The Debian packages listed in scripts/apt-packages.txt. */
export function aptPackages(): string[] {
  try {
    return readFileSync(APT_PACKAGES_FILE, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  } catch {
    return ['jupyter-nbconvert', 'jupyter-client', 'python3-nbclient', 'python3-ipython', 'chromium', 'fonts-dejavu-core'];
  }
}

/** What to tell a user who has no Jupyter (or lacks nbconvert/nbclient): exact commands. */
export function installHint(): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return [
    'Jupyter is needed to run the lab notebooks on the tslab TypeScript kernel.',
    'Headless execution (tests, `npm run lab -- --execute`) on Debian/Ubuntu:',
    `  ${sudo}apt-get update`,
    `  ${sudo}apt-get install -y --no-install-recommends ${aptPackages().join(' ')}`,
    'To open the notebooks in a browser, add the classic notebook:',
    `  ${sudo}apt-get install -y --no-install-recommends jupyter-notebook`,
    '  jupyter notebook notebooks/',
    'or JupyterLab in the project venv (needs pip to reach PyPI or a wheel mirror):',
    '  python3 -m venv .venv && .venv/bin/pip install jupyterlab',
    '  .venv/bin/jupyter lab notebooks/',
    'The tslab kernel is then registered by `npx tsx scripts/jupyter.ts install-kernel`',
    '(= node_modules/.bin/tslab install --python=/usr/bin/python3 --binary=$PWD/node_modules/.bin/tslab --user).',
  ].join('\n');
}

/** The Python used to make `.venv` (`python3` on PATH; Debian's needs `python3-venv`). */
async function basePython(): Promise<string> {
  return (await findIn(pathDirs(), 'python3')) ?? '/usr/bin/python3';
}

/**
 * Whether pip can get JupyterLab here, answered within `timeoutMs` (default 8 s), never hanging:
 * `pip download --no-deps jupyterlab` with no retries, a 3 s socket timeout and a hard kill.
 * It honours pip's own configuration (index-url, extra-index-url, find-links), so a wheel mirror
 * counts as well as PyPI. Offline, pip fails at once ("No matching distribution").
 */
export async function canInstallJupyterLab(timeoutMs = 8_000): Promise<boolean> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cvlab-pip-probe-'));
  try {
    const res = await run(
      await basePython(),
      ['-m', 'pip', 'download', '--no-deps', '--retries', '0', '--timeout', '3', '--disable-pip-version-check',
        '--quiet', '-d', dir, 'jupyterlab'],
      { timeoutMs, env: { ...process.env, PIP_NO_INPUT: '1' } },
    );
    return !res.timedOut && res.code === 0 && (await fsp.readdir(dir)).some((f) => f.startsWith('jupyterlab-'));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Creates a venv (default: the project's `.venv/`, git-ignored) and `pip install jupyterlab` there,
 * when {@link canInstallJupyterLab} says pip can get it; otherwise rejects at once with
 * {@link installHint}. Then {@link findJupyter} prefers that venv. Returns the venv folder.
 */
export async function createJupyterLabVenv(dir: string = VENV_DIR): Promise<string> {
  if (!(await canInstallJupyterLab())) {
    throw new Error(`pip cannot get jupyterlab here (no PyPI or wheel mirror reachable).\n${installHint()}`);
  }
  const python = await basePython();
  if (!existsSync(path.join(dir, 'bin', 'python'))) {
    const venv = await run(python, ['-m', 'venv', dir], { timeoutMs: 300_000, echo: true });
    if (venv.code !== 0) {
      throw new Error(`\`${python} -m venv ${dir}\` failed (on Debian: apt-get install python3-venv):\n${tail(venv.stderr)}`);
    }
  }
  const pip = await run(
    path.join(dir, 'bin', 'python'),
    // --retries 1: pip's default 5 retries with back-off cost ~7 s per package when PyPI's host does not
    // resolve but a wheel mirror (extra-index-url / find-links) serves it: 12 min instead of ~1 for jupyterlab.
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', 'jupyterlab'],
    { timeoutMs: 1_800_000, echo: true, env: { ...process.env, PIP_NO_INPUT: '1' } },
  );
  if (pip.code !== 0) throw new Error(`pip install jupyterlab failed:\n${tail(pip.stderr)}`);
  installCache = undefined;
  return dir;
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'find': {
      const install = await findJupyter();
      console.log(JSON.stringify(install ?? null, null, 2));
      if (install === undefined) console.error(installHint());
      return install === undefined ? 1 : 0;
    }
    case 'install-kernel':
      await ensureTslabKernel();
      console.log(JSON.stringify(await findTslabKernel(), null, 2));
      return 0;
    case 'hint':
      console.log(installHint());
      return 0;
    case 'can-install-lab':
      console.log((await canInstallJupyterLab()) ? 'yes' : 'no');
      return 0;
    case 'venv':
      console.log(await createJupyterLabVenv(rest[0] ?? VENV_DIR));
      return 0;
    case 'execute': {
      let out = path.join(PROJECT_ROOT, 'out', 'notebooks');
      let timeout = 300;
      let trust = false;
      const inputs: string[] = [];
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i]!;
        if (arg === '--out') out = rest[++i] ?? out;
        else if (arg === '--timeout') timeout = Number(rest[++i]);
        else if (arg === '--trust') trust = true;
        else inputs.push(arg);
      }
      let failed = 0;
      for (const input of inputs) {
        const started = Date.now();
        try {
          const res = await executeNotebook(input, out, { timeoutInSeconds: timeout, trust });
          console.log(`ok   ${input} (${((Date.now() - started) / 1000).toFixed(1)} s) -> ${res.html}`);
        } catch (err) {
          failed++;
          console.error(`FAIL ${input}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return failed === 0 ? 0 : 1;
    }
    default:
      console.error(
        'usage: tsx scripts/jupyter.ts find | install-kernel | hint | can-install-lab | venv [DIR] |' +
          ' execute NOTEBOOK... [--out DIR] [--timeout SECONDS] [--trust]',
      );
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
