/**
 * @module Limits of the real service (customvision-api README, limits-and-quotas), which the local
 * one enforces too, with the lengths of every free-text field the API stores and their checks.
 */
import { badRequest } from '../errors';

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
  projectNameLength: 200,
  tagNameLength: 256,
  /** Azure documents none; as long as a project's name. */
  iterationNameLength: 200,
  publishNameLength: 256,
  applicationNameLength: 256,
  /** Project and tag descriptions: Azure documents no limit; a paragraph's worth here. */
  descriptionLength: 1024,
  /** A publish target (predictionId): an Azure resource id is a few hundred characters at most. */
  resourceIdLength: 1024,
} as const;

interface TextRule {
  /** What the field is, for the message: "The iteration name". */
  what: string;
  max: number;
  /** The spec's error code for a bad value of this field. */
  code: string;
}

/** A name as stored: trimmed, not empty, at most `max` characters. */
export function checkedName(value: string | undefined, { what, max, code }: TextRule): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw badRequest(code, `${what} must not be empty.`);
  if (trimmed.length > max) throw badRequest(code, `${what} is ${trimmed.length} characters long; at most ${max} are allowed.`);
  return trimmed;
}

/** Free text as stored (a description): kept as given, at most `max` characters. */
export function checkedText<T extends string | null | undefined>(value: T, { what, max, code }: TextRule): T {
  if (typeof value === 'string' && value.length > max) throw badRequest(code, `${what} is ${value.length} characters long; at most ${max} are allowed.`);
  return value;
}
