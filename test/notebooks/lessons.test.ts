/**
 * What the notebooks teach, read from their source without running them: each lesson's SDK call is
 * in a code cell, in the official client's own words (so the lesson cannot move back into lib/),
 * named in the markdown before it; cells are short, import at the top only, cast nothing; and the
 * code compiles against lib/'s sources as the tslab kernel compiles it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { PROJECT_ROOT } from '../../lib/src/shared';

interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
}

const NOTEBOOKS = ['01-train-evaluate-improve.ipynb', '02-prediction-endpoint.ipynb', '03-export.ipynb'];
const file = (name: string) => path.join(PROJECT_ROOT, 'notebooks', name);
const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const cellsOf = (name: string): Cell[] => (JSON.parse(readFileSync(file(name), 'utf8')) as { cells: Cell[] }).cells;
const codeOf = (name: string) => cellsOf(name).filter((c) => c.cell_type === 'code').map(text);

/** The SDK methods a notebook's code cells call on the official clients, e.g. `trainer.trainProject(`. */
function sdkCalls(code: string): string[] {
  return [...code.matchAll(/\b(trainer|predictor)\.(\w+)\(/g)].map((m) => m[2]);
}

/** The code cell that calls `method` on the client, or a failure naming the notebook. */
function cellCalling(name: string, client: 'trainer' | 'predictor', method: string): string {
  const cell = codeOf(name).find((code) => new RegExp(`\\b${client}\\.${method}\\(`).test(code));
  assert.ok(cell, `${name}: no code cell calls ${client}.${method}(...)`);
  return cell;
}

describe('the lessons of the notebooks, in their code cells', () => {
  it('notebook 1 calls the Training API for each step of the exercise', () => {
    const nb = NOTEBOOKS[0];
    for (const method of ['getDomains', 'createProject', 'createTag', 'createImagesFromFiles', 'trainProject', 'getIteration', 'getIterationPerformance', 'getImagePerformances', 'deleteImageTags', 'createImageTags', 'quickTestImage']) {
      cellCalling(nb, 'trainer', method);
    }
    assert.match(cellCalling(nb, 'trainer', 'createImagesFromFiles'), /\+= 64\b/, 'uploads go in batches of at most 64');
    assert.match(cellCalling(nb, 'trainer', 'getIteration'), /while \(\w+\.status === 'Training'\)/, 'the first training loop is written out');
    assert.match(cellCalling(nb, 'trainer', 'getIterationPerformance'), /\{ threshold: \w+ \}/, 'performance is asked at a threshold');
    assert.match(cellCalling(nb, 'trainer', 'createImageTags'), /deleteImageTags/, 'retagging removes the old tag and adds the new one');
    const comparison = codeOf(nb).find((code) => code.includes('showComparison('));
    assert.ok(comparison && /performance/.test(comparison) && /testResults: quick\d/.test(comparison), 'iterations are compared on cross-validation and on the test images');
  });

  it('notebook 2 publishes and calls the Prediction API for a file and for a URL', () => {
    const nb = NOTEBOOKS[1];
    cellCalling(nb, 'trainer', 'publishIteration');
    cellCalling(nb, 'predictor', 'classifyImage');
    cellCalling(nb, 'predictor', 'classifyImageUrl');
    assert.ok(codeOf(nb).some((code) => /fetch\(url, \{ method: 'POST'/.test(code)), 'the plain HTTP request is in a cell');
  });

  it('notebook 3 lists the platforms the service gives and exports with exportIteration and getExports', () => {
    const nb = NOTEBOOKS[2];
    assert.match(cellCalling(nb, 'trainer', 'getDomains'), /exportablePlatforms/);
    assert.match(cellCalling(nb, 'trainer', 'exportIteration'), /'ONNX'/);
    assert.match(cellCalling(nb, 'trainer', 'getExports'), /while \(\w+\.status === 'Exporting'\)/, 'the export loop is written out');
    const code = codeOf(nb).join('\n');
    assert.match(code, /'DockerFile'/);
    // The platforms shown are what getDomains says, never a list written into the notebook.
    for (const platform of ['CoreML', 'TensorFlow', 'VAIDK', 'OpenVino']) assert.doesNotMatch(code, new RegExp(platform), platform);
  });
});

describe('the form of every notebook', () => {
  for (const nb of NOTEBOOKS) {
    it(`${nb}: short cells, imports in the first code cell only, no require or casts, each SDK call named in the markdown before it`, () => {
      const cells = cellsOf(nb);
      let firstCode = true;
      cells.forEach((cell, i) => {
        if (cell.cell_type !== 'code') return;
        const code = text(cell);
        const where = `${nb}, cell ${i}:\n${code}`;
        assert.ok(code.split('\n').length <= 10, `at most 10 lines: ${where}`);
        assert.doesNotMatch(code, /\brequire\(/, where);
        assert.doesNotMatch(code, /\bas (string|number|any|unknown)\b/, where);
        assert.doesNotMatch(code, /\bsession\b/, `the connection is called lab: ${where}`);
        if (!firstCode) assert.doesNotMatch(code, /^\s*import\b/m, `imports belong in the first code cell: ${where}`);
        firstCode = false;
        const before = cells[i - 1];
        assert.equal(before?.cell_type, 'markdown', `a markdown cell explains each code cell: ${where}`);
        for (const method of sdkCalls(code)) assert.match(text(before), new RegExp(`\\b${method}\\b`), `the markdown before names ${method}: ${where}`);
      });
    });
  }
});

/** Names a cell declares at its top level (variables, destructured or not, and functions). */
function topLevelNames(code: string): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022).statements) {
    if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) addBinding(d.name);
    if (ts.isFunctionDeclaration(statement) && statement.name) names.add(statement.name.text);
  }
  return names;
}

/** Shorthand properties (`{ name }`) of a cell, with every name the cell declares anywhere. */
function shorthandsAndDeclarations(code: string): { shorthands: string[]; declared: Set<string> } {
  const shorthands: string[] = [];
  const declared = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) shorthands.push(node.name.text);
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node)) && ts.isIdentifier(node.name)) declared.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022));
  return { shorthands, declared };
}

describe('the notebooks run on tslab', () => {
  // tslab 1.0 does not rewrite a shorthand property naming another cell's variable: `{ threshold }`
  // compiles, then fails with "threshold is not defined" when the cell runs.
  for (const nb of NOTEBOOKS) {
    it(`${nb}: no shorthand property names a variable of an earlier cell`, () => {
      const earlier = new Set<string>();
      for (const code of codeOf(nb)) {
        const { shorthands, declared } = shorthandsAndDeclarations(code);
        const crossing = shorthands.filter((name) => earlier.has(name) && !declared.has(name));
        assert.deepEqual(crossing, [], `write { ${crossing[0]}: ${crossing[0]} } or rename, in:\n${code}`);
        for (const name of topLevelNames(code)) earlier.add(name);
      }
    });
  }
});

describe('the notebooks compile', () => {
  // As tslab compiles a notebook (its converter's options: not strict, ES modules, Node10 resolution),
  // all code cells in order; `cvlab` is lib/'s source, so this needs no build.
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: PROJECT_ROOT,
    paths: { cvlab: ['lib/src/index.ts'] },
  };
  for (const nb of NOTEBOOKS) {
    it(`${nb}: no type errors`, () => {
      // The cells, as a module beside the notebook, so that packages resolve from there as in the kernel.
      const source = path.join(PROJECT_ROOT, 'notebooks', `${path.basename(nb, '.ipynb')}.cells.ts`);
      const host = ts.createCompilerHost(options);
      const contents = `${codeOf(nb).join('\n\n')}\nexport {};\n`;
      const { getSourceFile, fileExists, readFile } = host;
      host.getSourceFile = (name, version, ...rest) => (name === source ? ts.createSourceFile(name, contents, version) : getSourceFile.call(host, name, version, ...rest));
      host.fileExists = (name) => name === source || fileExists.call(host, name);
      host.readFile = (name) => (name === source ? contents : readFile.call(host, name));
      const program = ts.createProgram([source], options, host);
      const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
      const report = errors.map((d) => {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const line = at && d.file === program.getSourceFile(source) ? `\n    ${contents.split('\n')[at.line]}` : '';
        return `${d.file ? path.relative(PROJECT_ROOT, d.file.fileName) : ''}${at ? `:${at.line + 1}` : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${line}`;
      });
      assert.deepEqual(report, []);
    });
  }
});
