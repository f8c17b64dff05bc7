/**
 * @module Reads and checks a resources file (`--resources <file>`): `{ "resources": [{ "name",
 * "trainingKeys", "predictionKeys", "quotas"? }] }`. Every problem is reported at once, each with
 * where it is, so an instructor fixes the file in one go.
 */
import { readFileSync } from 'node:fs';
import { RESOURCE_NAME, type ResourceDefinition, type ResourceQuotas } from './resource';

const ENTRY_FIELDS = ['name', 'trainingKeys', 'predictionKeys', 'quotas'];
/** Each quota and whether it must be a whole number. */
const QUOTA_FIELDS: Record<keyof ResourceQuotas, 'integer' | 'number'> = {
  maxProjects: 'integer',
  maxImagesPerProject: 'integer',
  maxIterations: 'integer',
  trainingRequestsPerSecond: 'number',
  predictionRequestsPerSecond: 'number',
};
/** Visible ASCII: what an HTTP header carries unchanged. */
const KEY = /^[\x21-\x7e]+$/;

export class ResourcesFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`The resources file ${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ResourcesFileError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownFields(value: Record<string, unknown>, known: readonly string[], where: string, problems: string[]): void {
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) problems.push(`${where}: unknown field "${field}" (known: ${known.join(', ')}).`);
  }
}

function readKeys(value: unknown, where: string, problems: string[]): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${where} must be a non-empty array of keys.`);
    return [];
  }
  return value.flatMap((key, i) => {
    if (typeof key !== 'string' || !key.trim()) problems.push(`${where}[${i}] is empty: a key is a non-empty string.`);
    else if (!KEY.test(key)) problems.push(`${where}[${i}] has spaces or characters an HTTP header cannot carry.`);
    else return [key];
    return [];
  });
}

function readQuotas(value: unknown, where: string, problems: string[]): ResourceQuotas {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push(`${where} must be an object.`);
    return {};
  }
  unknownFields(value, Object.keys(QUOTA_FIELDS), where, problems);
  const quotas: ResourceQuotas = {};
  for (const [field, kind] of Object.entries(QUOTA_FIELDS) as [keyof ResourceQuotas, 'integer' | 'number'][]) {
    const quota = value[field];
    if (quota === undefined) continue;
    const valid = typeof quota === 'number' && quota > 0 && Number.isFinite(quota) && (kind === 'number' || Number.isInteger(quota));
    if (valid) quotas[field] = quota;
    else problems.push(`${where}.${field} must be a positive ${kind === 'integer' ? 'whole number' : 'number'}, got ${JSON.stringify(quota)}.`);
  }
  return quotas;
}

/** The resources a parsed file lists, or every problem found in it. */
export function parseResources(content: unknown, file: string): ResourceDefinition[] {
  const problems: string[] = [];
  if (!isObject(content) || !Array.isArray(content.resources)) throw new ResourcesFileError(file, ['it must be an object { "resources": [ … ] }.']);
  unknownFields(content, ['resources'], 'the file', problems);
  if (content.resources.length === 0) problems.push('"resources" lists no resource.');
  const names = new Map<string, string>();
  const keyOwners = new Map<string, string>();
  const resources = content.resources.map((entry: unknown, i): ResourceDefinition => {
    let where = `resources[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${where} must be an object.`);
      return { name: '', trainingKeys: [], predictionKeys: [], quotas: {}, acceptsAnyPredictionId: false };
    }
    const name = typeof entry.name === 'string' ? entry.name : '';
    if (!RESOURCE_NAME.test(name)) {
      problems.push(`${where}.name must be 1 to 64 letters, digits, "-" or "_" (starting with a letter or digit), got ${JSON.stringify(entry.name ?? null)}.`);
    } else {
      where = `${where} ("${name}")`;
      const other = names.get(name.toLowerCase());
      if (other !== undefined) problems.push(`${where}: the name is already used by ${other} (names compare without case).`);
      else names.set(name.toLowerCase(), `resources[${i}]`);
    }
    unknownFields(entry, ENTRY_FIELDS, where, problems);
    const trainingKeys = readKeys(entry.trainingKeys, `${where}.trainingKeys`, problems);
    const predictionKeys = readKeys(entry.predictionKeys, `${where}.predictionKeys`, problems);
    // A key acts for one resource only; within one, a key may serve both APIs (as an Azure key can).
    for (const key of new Set([...trainingKeys, ...predictionKeys])) {
      const owner = keyOwners.get(key);
      if (owner !== undefined) problems.push(`${where}: a key of it is also a key of ${owner}; each resource needs keys of its own.`);
      else keyOwners.set(key, where);
    }
    return { name, trainingKeys, predictionKeys, quotas: readQuotas(entry.quotas, `${where}.quotas`, problems), acceptsAnyPredictionId: false };
  });
  if (problems.length) throw new ResourcesFileError(file, problems);
  return resources;
}

/** Reads the file; a missing file, bad JSON or any problem in it is a ResourcesFileError. */
export function loadResourcesFile(file: string): ResourceDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ResourcesFileError(file, [`it cannot be read: ${(error as Error).message}`]);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new ResourcesFileError(file, [`it is not valid JSON: ${(error as Error).message}`]);
  }
  return parseResources(content, file);
}
