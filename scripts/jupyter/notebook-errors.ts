/** @module The failed cells of an executed notebook, and the error that carries them. */

/** One failed cell of an executed notebook. */
export interface CellError {
  /** Index of the cell in the notebook (markdown cells included). */
  cellIndex: number;
  ename: string;
  evalue: string;
  /** The cell's source, for messages. */
  source: string;
}

/** The parts of a notebook file (nbformat 4) read here. */
export interface NotebookJson {
  cells: Array<{
    cell_type: string;
    source: string | string[];
    outputs?: Array<{ output_type: string; ename?: string; evalue?: string }>;
  }>;
}

/** Thrown when a cell failed or nbconvert itself failed. */
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

/** The `error` outputs of an executed notebook. */
export function notebookErrors(notebook: NotebookJson): CellError[] {
  return notebook.cells.flatMap((cell, cellIndex) =>
    (cell.outputs ?? [])
      .filter((output) => output.output_type === 'error')
      .map((output) => ({
        cellIndex,
        ename: output.ename ?? '',
        evalue: output.evalue ?? '',
        source: Array.isArray(cell.source) ? cell.source.join('') : cell.source,
      })),
  );
}
