/** @module Parsing and validating query parameters and JSON bodies into typed values, or a 400. */
import { badRequest } from '../errors';

type Query = Record<string, string | string[] | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Query parameter names are matched without regard to case, as ASP.NET does on the real service. */
function raw(query: Query, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = query[key];
  return Array.isArray(value) ? value.join(',') : value;
}

export function uuid(value: string, what: string): string {
  if (!UUID.test(value)) throw badRequest('BadRequestInvalidIds', `${what} "${value}" is not a valid id (a UUID).`);
  return value.toLowerCase();
}

export function optionalString(query: Query, name: string): string | undefined {
  return raw(query, name);
}

export function requiredString(query: Query, name: string): string {
  const value = raw(query, name);
  if (value === undefined || value === '') throw badRequest('BadRequestRequiredParamIsNull', `The query parameter "${name}" is required.`);
  return value;
}

export function optionalUuid(query: Query, name: string): string | undefined {
  const value = raw(query, name);
  return value === undefined || value === '' ? undefined : uuid(value, name);
}

export function uuidList(query: Query, name: string, max?: number): string[] | undefined {
  const value = raw(query, name);
  if (value === undefined || value === '') return undefined;
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean).map((id) => uuid(id, name));
  if (max !== undefined && ids.length > max) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${max} values in "${name}", got ${ids.length}.`);
  }
  return ids;
}

export function stringList(query: Query, name: string): string[] | undefined {
  const value = raw(query, name);
  if (value === undefined || value === '') return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

export function integer(query: Query, name: string, options: { min: number; max: number; fallback: number }): number {
  const value = raw(query, name);
  if (value === undefined || value === '') return options.fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < options.min || n > options.max) {
    throw badRequest('BadRequest', `"${name}" must be an integer from ${options.min} to ${options.max}, got "${value}".`);
  }
  return n;
}

export function number(query: Query, name: string, options: { min: number; max: number; fallback: number }): number {
  const value = raw(query, name);
  if (value === undefined || value === '') return options.fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < options.min || n > options.max) {
    throw badRequest('BadRequest', `"${name}" must be a number from ${options.min} to ${options.max}, got "${value}".`);
  }
  return n;
}

export function boolean(query: Query, name: string, fallback: boolean): boolean {
  const value = raw(query, name);
  if (value === undefined || value === '') return fallback;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw badRequest('BadRequest', `"${name}" must be true or false, got "${value}".`);
}

export function oneOf<T extends string>(query: Query, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(query, name);
  if (value === undefined || value === '') return fallback;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!match) throw badRequest('BadRequest', `"${name}" must be one of ${allowed.join(', ')}, got "${value}".`);
  return match;
}

/** A JSON body that must be an object; anything else is a 400 with a clear message. */
export function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('BadRequest', `The request body must be a JSON object (${what}).`);
  }
  return body as Record<string, unknown>;
}

export function arrayField(body: Record<string, unknown>, name: string): unknown[] {
  const value = body[name];
  if (!Array.isArray(value)) throw badRequest('BadRequest', `The body's "${name}" must be an array.`);
  return value;
}

/** A body field holding an array of ids (absent: undefined); anything else is a 400. */
export function uuidArrayField(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw badRequest('BadRequest', `${what} must be an array of tag ids.`);
  return value.map((t: string) => uuid(t, what));
}

export function optionalStringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest('BadRequest', `The body's "${name}" must be a string.`);
  return value;
}
