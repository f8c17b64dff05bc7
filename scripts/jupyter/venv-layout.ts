/** @module Where the project's own Python venv is (git-ignored `.venv/`) and where a venv keeps its programs. */
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/src/shared';

/** The project-local venv that JupyterLab is installed into when no Jupyter is found. */
export const VENV_DIR = path.join(PROJECT_ROOT, '.venv');

/** A venv's programs folder: `bin` on Linux and macOS, `Scripts` on Windows. */
export function venvBin(venv: string): string {
  return path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin');
}
