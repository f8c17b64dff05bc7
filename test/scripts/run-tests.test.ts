/** @module Which test files `npm test` runs (scripts/run-tests.ts), in which order, and with which runner flags. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { listTestFiles, parseArguments } from '../../scripts/run-tests';

describe('listTestFiles', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cvlab-run-tests-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const files = ['a.test.ts', 'a-b.test.ts', path.join('a', 'b.test.ts'), path.join('a', 'helper.ts'), 'notes.md'];
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '');
  }
  const relative = (list: string[]) => list.map((file) => path.relative(root, file));

  test('lists every *.test.ts under a folder sorted by path (/ between folders), compared by code unit, not by locale', () => {
    assert.deepEqual(relative(listTestFiles([root])), ['a-b.test.ts', 'a.test.ts', path.join('a', 'b.test.ts')]);
  });

  test('takes files and folders, each file once', () => {
    const listed = listTestFiles([path.join(root, 'a'), path.join(root, 'a', 'b.test.ts'), path.join(root, 'a.test.ts')]);
    assert.deepEqual(relative(listed), ['a.test.ts', path.join('a', 'b.test.ts')]);
  });

  test('a path that does not exist is refused with a hint about flag values', () => {
    assert.throws(() => listTestFiles([path.join(root, 'formats')]), /formats: no such test file or folder \(a flag's value\? write it as --flag=value\)/);
  });

  test('by default, the project\'s test/ folder, this file included', () => {
    const listed = listTestFiles();
    assert.ok(listed.includes(__filename), __filename);
    assert.ok(listed.every((file) => file.endsWith('.test.ts')));
  });
});

describe('parseArguments', () => {
  test('takes a value-taking flag\'s value from the same argument or the next', () => {
    assert.deepEqual(parseArguments(['--test-name-pattern', 'formats', 'test/server', '--test-skip-pattern=slow', '--test-only', 'test/lib']), {
      runnerFlags: ['--test-name-pattern=formats', '--test-skip-pattern=slow', '--test-only'],
      targets: ['test/server', 'test/lib'],
    });
    for (const flag of ['--test-reporter', '--test-reporter-destination', '--test-concurrency', '--test-timeout']) {
      assert.deepEqual(parseArguments([flag, 'x']), { runnerFlags: [`${flag}=x`], targets: [] }, flag);
    }
  });

  test('a value-taking flag with nothing after it is refused', () => {
    assert.throws(() => parseArguments(['test/server', '--test-name-pattern']), /--test-name-pattern needs a value: --test-name-pattern=value/);
  });
});
