/**
 * @module How scripts/jupyter/ reports a failing notebook cell (the lab notebooks themselves are
 * executed by test/notebooks/notebooks.test.ts), and how it reads the Python of a pip launcher.
 *
 * Needs Debian's packages from scripts/apt-packages.txt; without them the tests are skipped
 * (set CVLAB_REQUIRE_JUPYTER=1 to make that a failure).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fsp, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { executeNotebook } from '../../scripts/jupyter/execute-notebook';
import { trampolinePython } from '../../scripts/jupyter/find-jupyter';
import { NotebookExecutionError } from '../../scripts/jupyter/notebook-errors';
import { notebookPrerequisite, skipUnlessRequired } from '../support/prerequisites';

interface Output {
  output_type: string;
  text?: string | string[];
}
interface Notebook {
  cells: Array<{ outputs?: Output[] }>;
}

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join('') : (text ?? ''));

describe('scripts/jupyter/ on the tslab kernel', async () => {
  const missing = await notebookPrerequisite({ browser: false });
  const skip = skipUnlessRequired(missing, 'JUPYTER');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cvlab-jupyter-test-'));

  before(() => {
    if (skip === false) assert.equal(missing, undefined, missing);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a failing cell becomes an error output and a NotebookExecutionError', { skip, timeout: 300_000 }, async () => {
    const input = path.join(scratch, 'fails.ipynb');
    const cell = (id: string, source: string) => ({
      cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source,
    });
    await fsp.writeFile(
      input,
      JSON.stringify({
        cells: [
          cell('ok', "console.log('before')"),
          cell('typed', "const n: number = 'not a number';"),
          cell('never', "console.log('after')"),
        ],
        metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const outDir = path.join(scratch, 'out');
    const err = await executeNotebook(input, outDir, { timeoutInSeconds: 60 }).then(
      () => assert.fail('the notebook should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotebookExecutionError, String(err));
    assert.equal(err.cells.length, 1);
    assert.equal(err.cells[0]?.cellIndex, 1);
    assert.equal(err.cells[0]?.ename, 'TypeScriptError');
    assert.match(err.cells[0]?.evalue ?? '', /not assignable to type 'number'/);
    assert.equal(err.notebook, path.join(outDir, 'fails.ipynb'));
    assert.ok(err.html !== undefined && existsSync(err.html), 'the HTML export is written for a failed run too');

    const nb = JSON.parse(await fsp.readFile(err.notebook, 'utf8')) as Notebook;
    assert.equal(joined(nb.cells[0]?.outputs?.[0]?.text), 'before\n');
    assert.deepEqual(nb.cells[2]?.outputs, [], 'cells after the error are skipped');
  });
});

describe('trampolinePython', () => {
  test('reads the interpreter of pip\'s /bin/sh trampoline, a quoted path with spaces whole', () => {
    assert.equal(trampolinePython(`'''exec' "/home/me/My Projects/cv lab/.venv/bin/python3" "$0" "$@"`), '/home/me/My Projects/cv lab/.venv/bin/python3');
    assert.equal(trampolinePython(`'''exec' "/opt/venv/bin/python3" "$0" "$@"`), '/opt/venv/bin/python3');
    assert.equal(trampolinePython(`'''exec' /opt/venv/bin/python3 "$0" "$@"`), '/opt/venv/bin/python3');
    assert.equal(trampolinePython('import sys'), undefined);
  });
});
