/**
 * @module XML and form-urlencoded request bodies, read into the very objects a JSON body gives.
 * XML as .NET's serializers write it: any root element, property elements named as in the spec
 * (any case, namespaces ignored), an array as an element holding one child per item (any item
 * name), a dictionary as `<key>value</key>` children or `<Key>`/`<Value>` pairs, `i:nil="true"`
 * for null. Forms as ASP.NET binds them: `images[0].url=...` or `images[0][url]=...`,
 * `tagIds=a&tagIds=b` or `tagIds[0]=a`, `metadata[key]=value`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import qs from 'qs';
import { badRequest } from '../errors';
import { LIMITS } from '../projects/limits';
import type { Shape } from './body-shapes';

const ATTRIBUTE = '@_';
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  // Character references such as &#xD; are decoded, as .NET's serializer writes them.
  htmlEntities: true,
});

/** The root element's content, every value still text. */
export function parseXml(text: string): unknown {
  // Entity declarations are what XML bombs are made of; no Custom Vision body needs one.
  if (/<!DOCTYPE/i.test(text)) throw badRequest('BadRequest', 'The XML body must not have a DOCTYPE.');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw badRequest('BadRequest', `The request body is not valid XML: ${valid.err.msg} (line ${valid.err.line}).`);
  let parsed: Record<string, unknown>;
  try {
    parsed = xml.parse(text) as Record<string, unknown>;
  } catch (error) {
    // The parser also refuses names such as __proto__ and too deep nesting: the body's fault, a 400.
    throw badRequest('BadRequest', `The XML body could not be read: ${(error as Error).message}`);
  }
  const roots = Object.values(parsed);
  if (roots.length !== 1) throw badRequest('BadRequest', 'The XML body must have one root element.');
  return roots[0];
}

/** The fields as nested objects and arrays, every value still text. */
export function parseForm(text: string): unknown {
  // Limits far above any valid body (a batch is 64 images), refused past them rather than cut short.
  const limit = LIMITS.batchSize * 16;
  try {
    return qs.parse(text, { allowDots: true, arrayLimit: limit, parameterLimit: limit * 16, depth: 6, duplicates: 'combine', throwOnLimitExceeded: true });
  } catch (error) {
    throw badRequest('BadRequest', `The form body could not be read: ${(error as Error).message}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An XML element's content without its attributes: null for `nil`, its text when that is all it holds. */
function content(value: unknown): unknown {
  if (!isRecord(value)) return value;
  if (String(value[`${ATTRIBUTE}nil`]).toLowerCase() === 'true') return null;
  const entries = Object.entries(value).filter(([key]) => !key.startsWith(ATTRIBUTE));
  if (entries.length === 0) return '';
  if (entries.length === 1 && entries[0][0] === '#text') return entries[0][1];
  return Object.fromEntries(entries);
}

function leaf(value: unknown, shape: 'string' | 'number' | 'integer' | 'boolean', path: string): unknown {
  if (typeof value !== 'string') throw badRequest('BadRequest', `The body's "${path}" must be a single value.`);
  if (shape === 'string') return value;
  if (shape === 'boolean') {
    if (/^(true|1)$/i.test(value)) return true;
    if (/^(false|0)$/i.test(value)) return false;
    throw badRequest('BadRequest', `The body's "${path}" must be true or false, got "${value}".`);
  }
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || (shape === 'integer' && !Number.isInteger(n))) {
    throw badRequest('BadRequest', `The body's "${path}" must be ${shape === 'integer' ? 'an integer' : 'a number'}, got "${value}".`);
  }
  return n;
}

/** An array's items: repeated fields or elements, form indices, or an XML wrapper's children. */
function items(value: unknown): unknown[] {
  if (value === '') return [];
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return [value];
  const keys = Object.keys(value);
  if (keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => value[k]);
  return Object.values(value).flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** A dictionary's entries: `<key>value</key>` children, or .NET's `<KeyValueOf...><Key/><Value/>` pairs. */
function entries(value: Record<string, unknown>): [string, unknown][] {
  const children = Object.values(value).flatMap((v) => (Array.isArray(v) ? v : [v])).map(content);
  const pairs = children.map((c) => (isRecord(c) ? { key: c.Key ?? c.key, value: c.Value ?? c.value } : undefined));
  if (children.length > 0 && pairs.every((p) => p && typeof p.key === 'string')) return pairs.map((p) => [p!.key as string, p!.value]);
  return Object.entries(value);
}

/** The parsed text tree read as the shape gives it: property names as the spec spells them, numbers and booleans typed. */
export function toShape(raw: unknown, shape: Shape, path = 'body'): unknown {
  const value = content(raw);
  if (value === null || value === undefined) return value;
  if (typeof shape === 'string') return leaf(value, shape, path);
  if ('array' in shape) return items(value).map((item, i) => toShape(item, shape.array, `${path}[${i}]`));
  if (value === '') return {};
  if (!isRecord(value)) throw badRequest('BadRequest', `The body's "${path}" must hold fields, not a single value.`);
  if ('map' in shape) return Object.fromEntries(entries(value).map(([key, v]) => [key, toShape(v, shape.map, `${path}.${key}`)]));
  const properties = Object.entries(shape.object);
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // Unknown fields are left out, as the JSON path's routes ignore them.
    const property = properties.find(([name]) => name.toLowerCase() === key.toLowerCase());
    if (!property) continue;
    const [name, propertyShape] = property;
    const at = path === 'body' ? name : `${path}.${name}`;
    if (name in result) throw badRequest('BadRequest', `The body gives "${at}" twice (names differing only in case).`);
    result[name] = toShape(v, propertyShape, at);
  }
  return result;
}
