/** @module What the quota tests share: a resources file with quotas, SDK clients with and without the SDK's retries, a RestError's parts. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import type { ResourceQuotas } from '../../../server/resources/resource';

export interface QuotaResource {
  name: string;
  trainingKey: string;
  predictionKey: string;
}

/** Writes a resources file, one resource per name with the quotas given for it; returns the file and each resource's keys. */
export function writeQuotaResources(quotas: Record<string, ResourceQuotas | undefined>): { file: string; resources: Record<string, QuotaResource> } {
  const resources: Record<string, QuotaResource> = {};
  const entries = Object.entries(quotas).map(([name, q]) => {
    resources[name] = { name, trainingKey: `t-${randomBytes(16).toString('hex')}`, predictionKey: `p-${randomBytes(16).toString('hex')}` };
    return { name, trainingKeys: [resources[name].trainingKey], predictionKeys: [resources[name].predictionKey], ...(q ? { quotas: q } : {}) };
  });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvlab-quotas-')), 'resources.json');
  writeFileSync(file, JSON.stringify({ resources: entries }, null, 2));
  return { file, resources };
}

/**
 * `noRetryPolicy`: the SDK's own retries off. They never retry a 429 (ms-rest-js turns it into an error
 * before its throttling policy sees it) but retry a 5xx after about 30 s; off, a test sees each answer.
 */
export function trainingClientFor(url: string, resource: QuotaResource, options: { noRetryPolicy?: boolean } = {}): TrainingAPIClient {
  return new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-key': resource.trainingKey } }), url, options);
}

export function predictionClientFor(url: string, resource: QuotaResource, options: { noRetryPolicy?: boolean } = {}): PredictionAPIClient {
  return new PredictionAPIClient(new ApiKeyCredentials({ inHeader: { 'Prediction-key': resource.predictionKey } }), url, options);
}

/** What a failed SDK call carries: status, the body's code and message, and the Retry-After header. */
export interface Refusal {
  statusCode?: number;
  code?: string;
  message: string;
  retryAfter?: string;
  body: unknown;
}

/** A RestError's parts. */
export function toRefusal(error: unknown): Refusal {
  const e = error as { statusCode?: number; code?: string; message: string; body?: unknown; response?: { headers: { get(name: string): string | undefined }; body?: unknown } };
  // The response's raw text when the SDK kept it, else what it deserialized.
  let body = e.body;
  if (typeof e.response?.body === 'string') {
    try {
      body = JSON.parse(e.response.body);
    } catch {
      body = e.response.body;
    }
  }
  return { statusCode: e.statusCode, code: e.code, message: e.message, retryAfter: e.response?.headers.get('retry-after'), body };
}

/** The call's refusal; fails the test when the call succeeds. */
export async function refusalOf(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    return toRefusal(error);
  }
  throw new Error('the call succeeded where a refusal was expected');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
