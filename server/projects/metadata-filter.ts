/**
 * @module The `$filter` expression on image metadata (GetImages, GetImageCount): the spec's `eq`,
 * `ne`, `and` and `or` (OData's precedence: `and` before `or`) and parentheses, parsed into a
 * condition the image repository turns into SQL and iteration listings evaluate here.
 */
import { badRequest } from '../errors';
import type { MetadataCondition } from '../store/repositories';

export type { MetadataCondition };

/** Keys as metadata stores them (no spaces, quotes or parentheses); values are OData strings, '' escaping a quote. */
const TOKEN = /\s*(?:(\()|(\))|'((?:[^']|'')*)'|([^\s()']+))/y;

type Token = { kind: '(' | ')' | 'string' | 'word'; text: string; at: number };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < filter.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(filter);
    if (!m) {
      if (/^\s*$/.test(filter.slice(at))) break;
      throw unsupported(filter, `unterminated string at character ${at + 1}`);
    }
    if (m[1]) tokens.push({ kind: '(', text: '(', at });
    else if (m[2]) tokens.push({ kind: ')', text: ')', at });
    else if (m[3] !== undefined) tokens.push({ kind: 'string', text: m[3].replace(/''/g, "'"), at });
    else tokens.push({ kind: 'word', text: m[4], at });
  }
  return tokens;
}

function unsupported(filter: string, why: string) {
  return badRequest(
    'BadRequestNotSupported',
    `Unsupported $filter "${filter}": ${why}. The local service supports key eq 'value' and key ne 'value', joined by and / or, with parentheses.`,
  );
}

const MAX_NESTING = 32;
const MAX_CLAUSES = 100;

/** Parses a `$filter`; anything outside the grammar is a 400 saying what was not understood. */
export function parseMetadataFilter(filter: string): MetadataCondition {
  const tokens = tokenize(filter);
  let i = 0;
  let depth = 0;
  let clauseCount = 0;
  const word = (w: string) => tokens[i]?.kind === 'word' && tokens[i].text.toLowerCase() === w;
  const describe = (t: Token | undefined) => (t ? `"${t.text}" at character ${t.at + 1}` : 'the end of the expression');

  const joined = (op: 'and' | 'or', operand: () => MetadataCondition): MetadataCondition => {
    const clauses = [operand()];
    while (word(op)) {
      i++;
      clauses.push(operand());
    }
    return clauses.length === 1 ? clauses[0] : { op, clauses };
  };
  const expression = (): MetadataCondition => joined('or', () => joined('and', primary));
  const primary = (): MetadataCondition => {
    const t = tokens[i];
    if (t?.kind === '(') {
      // Bounded so that no filter can exhaust the parser's stack or SQLite's expression depth.
      if (++depth > MAX_NESTING) throw unsupported(filter, `parentheses nested deeper than ${MAX_NESTING}`);
      i++;
      const inner = expression();
      depth--;
      if (tokens[i]?.kind !== ')') throw unsupported(filter, `expected ")" but found ${describe(tokens[i])}`);
      i++;
      return inner;
    }
    if (t?.kind !== 'word') throw unsupported(filter, `expected a metadata key but found ${describe(t)}`);
    const operator = tokens[i + 1];
    const op = operator?.kind === 'word' ? operator.text.toLowerCase() : '';
    if (op !== 'eq' && op !== 'ne') throw unsupported(filter, `expected eq or ne after "${t.text}" but found ${describe(operator)}`);
    const value = tokens[i + 2];
    if (value?.kind !== 'string') throw unsupported(filter, `expected a quoted value after "${t.text} ${op}" but found ${describe(value)}`);
    if (++clauseCount > MAX_CLAUSES) throw unsupported(filter, `more than ${MAX_CLAUSES} clauses`);
    i += 3;
    return { op, key: t.text, value: value.text };
  };

  const condition = expression();
  if (i < tokens.length) throw unsupported(filter, `unexpected ${describe(tokens[i])}`);
  return condition;
}

/**
 * Whether an image's metadata satisfies the condition. As in OData, a missing key equals no
 * value: `key ne 'v'` holds for an image without `key`.
 */
export function matchesMetadata(condition: MetadataCondition, metadata: Record<string, string> | null | undefined): boolean {
  const valueOf = (key: string) => (metadata && Object.hasOwn(metadata, key) ? metadata[key] : undefined);
  switch (condition.op) {
    case 'eq':
      return valueOf(condition.key) === condition.value;
    case 'ne':
      return valueOf(condition.key) !== condition.value;
    case 'and':
      return condition.clauses.every((c) => matchesMetadata(c, metadata));
    case 'or':
      return condition.clauses.some((c) => matchesMetadata(c, metadata));
  }
}
