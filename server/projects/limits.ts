/** @module Limits of the real service (customvision-api README, limits-and-quotas), which the local one enforces too. */
export const LIMITS = {
  batchSize: 64,
  tagsPerBatch: 20,
  idsPerRequest: 256,
  imageTagBatch: 128,
  trainingImageBytes: 6 * 1024 * 1024,
  maxSide: 10240,
  maxAspectRatio: 25,
  metadataPairs: 10,
  metadataKeyLength: 128,
  metadataValueLength: 256,
  tagsPerImage: 100,
} as const;
