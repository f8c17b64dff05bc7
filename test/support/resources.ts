/** @module A resources file for tests: resources with random keys of their own, written to a temporary folder. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestResource {
  name: string;
  trainingKey: string;
  predictionKey: string;
}

/**
 * Rates far above what a test sends: tests of isolation make dozens of calls a second, and Azure's S0
 * rates (the default) would refuse them with 429s that have nothing to do with what they check.
 */
export const UNTHROTTLED = { trainingRequestsPerSecond: 10_000, predictionRequestsPerSecond: 10_000 };

/** Writes `{ "resources": [...] }` with one resource per name, each with `quotas`; returns the file and each resource's keys. */
export function writeResourcesFile(names: string[], quotas: Record<string, number> = UNTHROTTLED): { file: string; resources: Record<string, TestResource> } {
  const resources = Object.fromEntries(
    names.map((name) => [name, { name, trainingKey: `t-${randomBytes(16).toString('hex')}`, predictionKey: `p-${randomBytes(16).toString('hex')}` }]),
  );
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvlab-resources-')), 'resources.json');
  const entries = Object.values(resources).map((r) => ({ name: r.name, trainingKeys: [r.trainingKey], predictionKeys: [r.predictionKey], quotas }));
  writeFileSync(file, JSON.stringify({ resources: entries }, null, 2));
  return { file, resources };
}
