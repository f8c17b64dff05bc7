/**
 * @module Executes one notebook headless on the project's tslab kernel with nbconvert, and exports
 * it to HTML that draws its charts offline.
 *
 * tslab reports a failing cell only as text on the cell's stderr plus an execute_reply with status
 * "error" and no ename/evalue/traceback; the nbclient hooks in tslab_hooks.py turn that into a real
 * `error` output, skip the cells after it, and still let nbconvert write the executed notebook.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { outputTail, runCommand, type CommandResult } from '../process/run-command';
import { requireJupyter } from './find-jupyter';
import { installHint } from './install-hint';
import { NotebookExecutionError, notebookErrors, type NotebookJson } from './notebook-errors';
import { ensureTslabKernel } from './tslab-kernel';

/** The nbclient hooks, given to nbconvert as a config file. */
const TSLAB_HOOKS = path.join(__dirname, 'tslab_hooks.py');

export interface ExecuteOptions {
  /** Per-cell time limit; a cell over it is interrupted and recorded as an error. */
  timeoutInSeconds: number;
  /** Extra environment for nbconvert and so for the kernel (the kernel inherits nbconvert's environment). */
  env?: Record<string, string>;
  /** Kernel start-up time limit; default 120 s (a tslab kernel starts in ~2 s warm, more on a cold disk). */
  startupTimeoutInSeconds?: number;
  /** Stop nbconvert after this long overall; default (code cells × cell time limit) + 180 s. */
  totalTimeoutInSeconds?: number;
}

const relative = (file: string) => path.relative(PROJECT_ROOT, file);

function failure(what: string, run: CommandResult, notebook?: string): NotebookExecutionError {
  const how = run.timedOut ? `was stopped after ${Math.round(run.durationMs / 1000)} s` : `failed (exit ${run.code ?? run.signal})`;
  return new NotebookExecutionError(`${what} ${how}:\n${outputTail(run.stderr)}`, [], notebook, undefined, outputTail(run.stderr));
}

/**
 * Executes `input` into `<outputDir>/<name>.ipynb` and `<outputDir>/<name>.html`:
 * `jupyter nbconvert --to notebook --execute` with the project's tslab kernel (overriding the
 * notebook's own kernelspec), then `jupyter nbconvert --to html --HTMLExporter.sanitize_html=False`,
 * which keeps the `<script>`s of text/html outputs: they draw the plotly charts, offline included.
 * The kernel's cwd is the notebook's folder (nbconvert's default), so `cvlab` and the other packages
 * resolve from the project's node_modules. Both files are written even when a cell fails (the
 * failure is an `error` output there); then it rejects with a {@link NotebookExecutionError}.
 */
export async function executeNotebook(input: string, outputDir: string, options: ExecuteOptions): Promise<{ notebook: string; html: string }> {
  const install = await requireJupyter('executeNotebook');
  if (install.nbconvert === undefined || install.nbclient === undefined) {
    throw new Error(`executeNotebook: nbconvert/nbclient are missing.\n${installHint()}`);
  }
  const kernel = await ensureTslabKernel();

  const inputPath = path.resolve(input);
  const outDir = path.resolve(outputDir);
  const name = path.basename(inputPath, '.ipynb');
  const notebook = path.join(outDir, `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  if (notebook === inputPath) throw new Error(`executeNotebook: outputDir would overwrite ${inputPath}`);
  const source = JSON.parse(await readFile(inputPath, 'utf8')) as NotebookJson;
  const codeCells = source.cells.filter((cell) => cell.cell_type === 'code').length;
  await mkdir(outDir, { recursive: true });
  await rm(notebook, { force: true });
  await rm(html, { force: true });

  const cellTimeout = Math.max(1, Math.ceil(options.timeoutInSeconds));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, CVLAB_CELL_TIMEOUT: String(cellTimeout) };
  const output = [`--output-dir=${outDir}`, `--output=${name}`];
  const executed = await runCommand(
    install.jupyter,
    [
      'nbconvert', '--to', 'notebook', '--execute',
      `--config=${TSLAB_HOOKS}`,
      `--ExecutePreprocessor.kernel_name=${kernel.name}`,
      `--ExecutePreprocessor.startup_timeout=${options.startupTimeoutInSeconds ?? 120}`,
      ...output,
      inputPath,
    ],
    { env, cwd: PROJECT_ROOT, timeoutMs: (options.totalTimeoutInSeconds ?? codeCells * cellTimeout + 180) * 1000 },
  );
  const written = existsSync(notebook);
  if (executed.code !== 0 || !written) throw failure(`nbconvert --execute ${relative(inputPath)}`, executed, written ? notebook : undefined);

  const exported = await runCommand(
    install.jupyter,
    ['nbconvert', '--to', 'html', '--HTMLExporter.sanitize_html=False', ...output, notebook],
    { env, cwd: PROJECT_ROOT, timeoutMs: 300_000 },
  );
  if (exported.code !== 0 || !existsSync(html)) throw failure('nbconvert --to html', exported, notebook);

  const errors = notebookErrors(JSON.parse(await readFile(notebook, 'utf8')) as NotebookJson);
  const first = errors[0];
  if (first !== undefined) {
    throw new NotebookExecutionError(
      `${relative(inputPath)}: cell ${first.cellIndex} failed: ${first.ename}: ${first.evalue}\n` +
        `--- cell source ---\n${first.source}\n--- executed notebook: ${notebook}`,
      errors,
      notebook,
      html,
    );
  }
  return { notebook, html };
}
