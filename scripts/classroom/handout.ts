/**
 * @module What the instructor hands out: per resource its endpoint and keys, as a table on the
 * terminal, as `keys.csv`, and as a `.env` per resource that the lab reads unchanged
 * (`env/<name>.env`: copied to the project root as `.env` on the student's machine).
 */
import path from 'node:path';
import { predictionResourceId, type ResourceDefinition } from '../../server/resources/resource';
import { writePrivateFile } from './room';

export interface Handout {
  name: string;
  endpoint: string;
  trainingKey: string;
  predictionKey: string;
  /** VISION_PREDICTION_RESOURCE_ID: what publishIteration's predictionId must name (the resource itself). */
  predictionResourceId: string;
}

export function handouts(room: readonly ResourceDefinition[], endpoint: string): Handout[] {
  return room.map((r) => ({ name: r.name, endpoint, trainingKey: r.trainingKeys[0], predictionKey: r.predictionKeys[0], predictionResourceId: predictionResourceId(r.name) }));
}

/** The lab's configuration for Azure-style endpoints (lib/src/config.ts): the student's own service, keys and resource id. */
export function envFile(h: Handout): string {
  return [
    `# Custom Vision classroom: ${h.name}. Save as .env at the root of your copy of the lab.`,
    `VISION_TRAINING_ENDPOINT=${h.endpoint}`,
    `VISION_TRAINING_KEY=${h.trainingKey}`,
    `VISION_PREDICTION_ENDPOINT=${h.endpoint}`,
    `VISION_PREDICTION_KEY=${h.predictionKey}`,
    `VISION_PREDICTION_RESOURCE_ID=${h.predictionResourceId}`,
    '',
  ].join('\n');
}

const COLUMNS: [keyof Handout, string][] = [
  ['name', 'name'],
  ['endpoint', 'endpoint'],
  ['trainingKey', 'training_key'],
  ['predictionKey', 'prediction_key'],
  ['predictionResourceId', 'prediction_resource_id'],
];

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function csv(rows: readonly Handout[]): string {
  return [COLUMNS.map(([, header]) => header), ...rows.map((row) => COLUMNS.map(([key]) => row[key]))].map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Name, endpoint and the two keys, in aligned columns. */
export function table(rows: readonly Handout[]): string {
  const cells = [['name', 'endpoint', 'training key', 'prediction key'], ...rows.map((r) => [r.name, r.endpoint, r.trainingKey, r.predictionKey])];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Writes `keys.csv` and `env/<name>.env` into `folder`, owner-readable only; returns their paths. */
export function writeHandouts(folder: string, rows: readonly Handout[]): { csvFile: string; envFolder: string } {
  const csvFile = path.join(folder, 'keys.csv');
  const envFolder = path.join(folder, 'env');
  writePrivateFile(csvFile, csv(rows));
  for (const row of rows) writePrivateFile(path.join(envFolder, `${row.name}.env`), envFile(row));
  return { csvFile, envFolder };
}
