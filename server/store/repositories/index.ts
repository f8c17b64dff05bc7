/**
 * @module The service's storage: one repository per aggregate over one database, and its
 * transactions. Projects are reached only through `projectsOf(resource)`, a repository that sees one
 * resource's projects; everything else of a project is reached through a project found there.
 */
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

/** The repositories with the way to one resource's projects. */
export interface OpenedRepositories extends Repositories {
  projectsOf(resource: string): ProjectRepository;
}

export function openRepositories(db: Db): OpenedRepositories {
  const repositories = {
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
    projectsOf: (resource: string) => new ProjectRepository(db, resource),
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
export type { ClassificationType, ProjectRecord, ProjectRepository } from './projects';
export type { ProjectSnapshot, TransferRecord } from './project-transfers';
export type { SuggestionRecord } from './suggestions';
export type { CountedTag, TagRecord, TagSummary, TagType } from './tags';
export type { TrainingOutcome } from './training-runs';
