/**
 * @module `npm test`'s last step: runs the test files with Node's test runner, one file at a time.
 *
 * `npm test` runs every `*.test.ts` under test/; `npm test -- test/server test/lib/pure.test.ts`
 * runs the files in those folders and those files. Arguments starting with `--` go to Node's test
 * runner (`npm test -- --test-name-pattern=upload test/server`); the runner's flags that take a
 * value take it in the same argument or the next (`--test-name-pattern upload`). Exits with the
 * runner's status.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/src/shared';
import { runCommand } from './process/run-command';

const TEST_SUFFIX = '.test.ts';

/**
 * The order a file is run in: sorted by its path from the project root with `/` between folders,
 * compared character by character (UTF-16 code units, not a locale's collation), so that the order is
 * the same on every platform and in every locale (`a-b.test.ts`, `a.test.ts`, `a/b.test.ts`).
 */
function sortKey(file: string): string {
  return path.relative(PROJECT_ROOT, file).split(path.sep).join(path.posix.sep);
}

/** The test files a command-line argument names: a file itself, or every `*.test.ts` under a folder. */
function testFilesIn(target: string): string[] {
  const resolved = path.resolve(target);
  const stats = statSync(resolved, { throwIfNoEntry: false });
  if (stats === undefined) {
    throw new Error(`${target}: no such test file or folder (a flag's value? write it as --flag=value)`);
  }
  if (!stats.isDirectory()) return [resolved];
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

/** Node's test-runner flags that take a value, which may come as the next argument. */
const VALUE_FLAGS = new Set([
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-concurrency',
  '--test-timeout',
]);

/**
 * Splits the command line into the test runner's flags (each `--flag=value`, a two-word
 * `--flag value` joined) and the files and folders to test.
 */
export function parseArguments(argv: readonly string[]): { runnerFlags: string[]; targets: string[] } {
  const runnerFlags: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      targets.push(arg);
    } else if (VALUE_FLAGS.has(arg)) {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`${arg} needs a value: ${arg}=value`);
      runnerFlags.push(`${arg}=${value}`);
      i++;
    } else {
      runnerFlags.push(arg);
    }
  }
  return { runnerFlags, targets };
}

async function main(argv: string[]): Promise<number> {
  const { runnerFlags, targets } = parseArguments(argv);
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
