/** @module Which test files `npm test` runs (scripts/run-tests.ts), and in which order. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { listTestFiles } from '../../scripts/run-tests';

describe('listTestFiles', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cvlab-run-tests-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const files = ['a.test.ts', 'a-b.test.ts', path.join('a', 'b.test.ts'), path.join('a', 'helper.ts'), 'notes.md'];
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '');
  }
  const relative = (list: string[]) => list.map((file) => path.relative(root, file));

  test('lists every *.test.ts under a folder in `find | sort` order (byte order of the path with / between folders)', () => {
    assert.deepEqual(relative(listTestFiles([root])), ['a-b.test.ts', 'a.test.ts', path.join('a', 'b.test.ts')]);
  });

  test('takes files and folders, each file once', () => {
    const listed = listTestFiles([path.join(root, 'a'), path.join(root, 'a', 'b.test.ts'), path.join(root, 'a.test.ts')]);
    assert.deepEqual(relative(listed), ['a.test.ts', path.join('a', 'b.test.ts')]);
  });

  test('by default, the project\'s test/ folder, this file included', () => {
    const listed = listTestFiles();
    assert.ok(listed.includes(__filename), __filename);
    assert.ok(listed.every((file) => file.endsWith('.test.ts')));
  });
});
