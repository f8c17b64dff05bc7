import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CustomVisionError } from '../../../server/errors';
import * as p from '../../../server/http/params';

const code = (c: string) => (e: unknown) => e instanceof CustomVisionError && e.code === c && e.status === 400;

describe('query parameter parsing', () => {
  it('matches names without regard to case and parses CSV id lists', () => {
    const id = '0a1b2c3d-0000-4000-8000-00000000000A';
    assert.deepEqual(p.uuidList({ TAGIDS: `${id},${id.toLowerCase()}` }, 'tagIds'), [id.toLowerCase(), id.toLowerCase()]);
    assert.equal(p.uuidList({}, 'tagIds'), undefined);
    assert.throws(() => p.uuidList({ tagIds: 'nope' }, 'tagIds'), code('BadRequestInvalidIds'));
    assert.throws(() => p.uuidList({ tagIds: Array(3).fill(id).join(',') }, 'tagIds', 2), code('BadRequestExceededBatchSize'));
  });

  it('checks integer ranges, booleans and enumerations', () => {
    assert.equal(p.integer({ take: '20' }, 'take', { min: 0, max: 256, fallback: 50 }), 20);
    assert.equal(p.integer({}, 'take', { min: 0, max: 256, fallback: 50 }), 50);
    assert.throws(() => p.integer({ take: '257' }, 'take', { min: 0, max: 256, fallback: 50 }), code('BadRequest'));
    assert.throws(() => p.integer({ take: '1.5' }, 'take', { min: 0, max: 256, fallback: 50 }), code('BadRequest'));
    assert.equal(p.boolean({ store: 'FALSE' }, 'store', true), false);
    assert.throws(() => p.boolean({ store: 'maybe' }, 'store', true), code('BadRequest'));
    assert.equal(p.oneOf({ orderBy: 'oldest' }, 'orderBy', ['Newest', 'Oldest'] as const, 'Newest'), 'Oldest');
    assert.throws(() => p.oneOf({ orderBy: 'random' }, 'orderBy', ['Newest', 'Oldest'] as const, 'Newest'), code('BadRequest'));
    assert.equal(p.number({ threshold: '0.9' }, 'threshold', { min: 0, max: 1, fallback: 0.5 }), 0.9);
    assert.throws(() => p.number({ threshold: '2' }, 'threshold', { min: 0, max: 1, fallback: 0.5 }), code('BadRequest'));
  });

  it('requires object bodies', () => {
    assert.throws(() => p.objectBody([1], 'a batch'), code('BadRequest'));
    assert.throws(() => p.objectBody(undefined, 'a batch'), code('BadRequest'));
    assert.deepEqual(p.objectBody({ a: 1 }, 'x'), { a: 1 });
  });
});
