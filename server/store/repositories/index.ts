/** @module The service's storage as the rules see it: one repository per aggregate over one database, and its transactions. */
import type { Db } from '../db';
import { ExportRepository } from './exports';
import { ImageRepository } from './images';
import { IterationRepository } from './iterations';
import { PredictionRepository } from './predictions';
import { ProjectTransferRepository } from './project-transfers';
import { ProjectRepository } from './projects';
import { SuggestionRepository } from './suggestions';
import { TagRepository } from './tags';
import { TrainingRunRepository } from './training-runs';

export interface Repositories {
  projects: ProjectRepository;
  tags: TagRepository;
  images: ImageRepository;
  iterations: IterationRepository;
  trainingRuns: TrainingRunRepository;
  exports: ExportRepository;
  predictions: PredictionRepository;
  suggestions: SuggestionRepository;
  transfers: ProjectTransferRepository;
  /** Runs `work` in one transaction: all of its writes happen, or none (it throws). */
  atomically<T>(work: () => T): T;
  /** Every image hash a row still refers to: the blobs that must be kept. */
  referencedHashes(): Set<string>;
}

export function openRepositories(db: Db): Repositories {
  const repositories = {
    projects: new ProjectRepository(db),
    tags: new TagRepository(db),
    images: new ImageRepository(db),
    iterations: new IterationRepository(db),
    trainingRuns: new TrainingRunRepository(db),
    exports: new ExportRepository(db),
    predictions: new PredictionRepository(db),
    suggestions: new SuggestionRepository(db),
    transfers: new ProjectTransferRepository(db),
  };
  return {
    ...repositories,
    atomically: <T>(work: () => T): T => db.transaction(work)(),
    referencedHashes: () => {
      const { images, iterations, predictions, transfers } = repositories;
      const exported = transfers.hashes(new Date().toISOString());
      return new Set([...images.hashes(), ...iterations.hashes(), ...predictions.hashes(), ...exported]);
    },
  };
}

export type { ExportRecord, ExportStatus } from './exports';
export type { ImageFilter, ImageRecord, ImageTag, MetadataCondition, TaggedImage } from './images';
export type { HeldOutImage, IterationRecord, IterationStatus, SnapshotImage, SnapshotTag, TrainingType } from './iterations';
export type { PredictionRecord, TagScore } from './predictions';
export type { ClassificationType, ProjectRecord } from './projects';
export type { ProjectSnapshot, TransferRecord } from './project-transfers';
export type { SuggestionRecord } from './suggestions';
export type { CountedTag, TagRecord, TagSummary, TagType } from './tags';
export type { TrainingOutcome } from './training-runs';
