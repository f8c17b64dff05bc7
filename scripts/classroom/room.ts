/** @module A room's resources file: one resource per student plus the instructor's, each with random keys; written readable by its owner only. */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResourceDefinition } from '../../server/resources/resource';

export const INSTRUCTOR = 'instructor';

/** A key as Azure's look: 32 hex digits, 128 random bits. */
export const newKey = (): string => randomBytes(16).toString('hex');

/** `student-01` … `student-30` (three digits from 100 students on, so the names sort). */
export function studentNames(count: number): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `student-${String(i + 1).padStart(width, '0')}`);
}

/** The students' resources, then the instructor's, each with one training and one prediction key of its own. */
export function newRoom(students: number): ResourceDefinition[] {
  return [...studentNames(students), INSTRUCTOR].map((name) => ({ name, trainingKeys: [newKey()], predictionKeys: [newKey()], quotas: {}, acceptsAnyPredictionId: false }));
}

/** Writes a file only its owner may read (keys are in it), replacing any earlier one; its folder is made owner-only too. */
export function writePrivateFile(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

/** The resources file of the room, as `--resources` reads it. */
export function writeResourcesFile(file: string, room: readonly ResourceDefinition[]): void {
  const resources = room.map(({ name, trainingKeys, predictionKeys }) => ({ name, trainingKeys, predictionKeys }));
  writePrivateFile(file, `${JSON.stringify({ resources }, null, 2)}\n`);
}
