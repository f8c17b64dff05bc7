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

/** Writes `{ "resources": [...] }` with one resource per name; returns the file and each resource's keys. */
export function writeResourcesFile(names: string[]): { file: string; resources: Record<string, TestResource> } {
  const resources = Object.fromEntries(
    names.map((name) => [name, { name, trainingKey: `t-${randomBytes(16).toString('hex')}`, predictionKey: `p-${randomBytes(16).toString('hex')}` }]),
  );
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvlab-resources-')), 'resources.json');
  const entries = Object.values(resources).map((r) => ({ name: r.name, trainingKeys: [r.trainingKey], predictionKeys: [r.predictionKey] }));
  writeFileSync(file, JSON.stringify({ resources: entries }, null, 2));
  return { file, resources };
}
