/**
 * @module `npm test`'s last step: runs the test files with Node's test runner, one file at a time.
 *
 * `npm test` runs every `*.test.ts` under test/; `npm test -- test/server test/lib/pure.test.ts`
 * runs the files in those folders and those files. Arguments starting with `--` go to Node's test
 * runner (`npm test -- --test-name-pattern=upload test/server`). Exits with the runner's status.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/src/shared';
import { runCommand } from './process/run-command';

const TEST_SUFFIX = '.test.ts';

/**
 * The order a file is run in: its path from the project root with `/` between folders, compared
 * character by character, which is the order `find test -name '*.test.ts' | sort` gave on every platform.
 */
function sortKey(file: string): string {
  return path.relative(PROJECT_ROOT, file).split(path.sep).join(path.posix.sep);
}

/** The test files a command-line argument names: a file itself, or every `*.test.ts` under a folder. */
function testFilesIn(target: string): string[] {
  const resolved = path.resolve(target);
  if (!statSync(resolved).isDirectory()) return [resolved];
  return readdirSync(resolved, { recursive: true, encoding: 'utf8' })
    .filter((entry) => entry.endsWith(TEST_SUFFIX))
    .map((entry) => path.join(resolved, entry))
    .filter((file) => statSync(file).isFile());
}

/** The test files for `targets` (default: test/), each once, sorted. */
export function listTestFiles(targets: readonly string[] = [path.join(PROJECT_ROOT, 'test')]): string[] {
  const files = [...new Set(targets.flatMap(testFilesIn))];
  const keyed = files.map((file) => ({ file, key: sortKey(file) }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ file }) => file);
}

async function main(argv: string[]): Promise<number> {
  const runnerFlags = argv.filter((arg) => arg.startsWith('--'));
  const targets = argv.filter((arg) => !arg.startsWith('--'));
  const files = listTestFiles(targets.length > 0 ? targets : undefined);
  if (files.length === 0) {
    console.error(`no ${TEST_SUFFIX} files in ${targets.join(', ')}`);
    return 1;
  }
  const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...runnerFlags, ...files];
  const run = await runCommand(process.execPath, args, { cwd: PROJECT_ROOT, output: 'inherit' });
  return run.code ?? 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
