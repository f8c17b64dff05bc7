/**
 * @module `npm run classroom -- --students 30 [--host 0.0.0.0] [--port 5600] [--public-host <name>]
 * [--out classroom/resources.json] [--force | --reuse] [--data-dir <dir>]`: sets up a room on one
 * local service. It writes a resources file (one resource per student plus the instructor's, each
 * with random keys and its own projects), the hand-outs beside it (`keys.csv`, and `env/<name>.env`
 * for each student's lab), prints the table of endpoints and keys, and serves until Ctrl-C.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_SERVICE, PROJECT_ROOT } from '../lib/src/shared';
import { parseConfig, type ServiceConfig } from '../server/config';
import { isLoopbackHost } from '../server/resources/exposure';
import type { ResourceDefinition } from '../server/resources/resource';
import { loadResourcesFile } from '../server/resources/resources-file';
import { serveUntilSignal } from '../server/serve';
import { studentEndpoint } from './classroom/endpoint';
import { handouts, table, writeHandouts } from './classroom/handout';
import { INSTRUCTOR, newRoom, writeResourcesFile } from './classroom/room';
import { runMain } from './process/run-main';

const USAGE = `Usage: npm run classroom -- --students <n> [options]

Sets up a room: one resource per student (student-01 …) plus "${INSTRUCTOR}", each with random keys
and projects of its own, then starts the local service for it and serves until Ctrl-C.

Options:
  --students <n>        how many students (1 to 500)
  --host <address>      address to listen on (default ${LOCAL_SERVICE.host}: this machine only; 0.0.0.0 for the room's network)
  --port <n>            port (default ${LOCAL_SERVICE.port}; 0 for any free one)
  --public-host <name>  the name or address students reach this machine by (default: the address listened on,
                        or this machine's network address when listening on 0.0.0.0)
  --out <file>          the resources file (default classroom/resources.json); keys.csv and env/<name>.env go beside it
  --force               replace an existing resources file with new keys (the old keys stop working)
  --reuse               start again with the existing resources file and its keys
  --data-dir <dir>      where the room's projects are kept (default: data/ beside the resources file)
  --help                show this help`;

const MAX_STUDENTS = 500;

class UsageError extends Error {}

interface Options {
  students?: number;
  host: string;
  port: number;
  publicHost?: string;
  out: string;
  force: boolean;
  reuse: boolean;
  dataDir: string;
}

function readOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        students: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'public-host': { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        reuse: { type: 'boolean' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const students = values.students === undefined ? undefined : Number(values.students);
  if (students !== undefined && !(Number.isInteger(students) && students >= 1 && students <= MAX_STUDENTS)) {
    throw new UsageError(`Invalid --students "${values.students}": give a whole number from 1 to ${MAX_STUDENTS}.`);
  }
  if (students === undefined && !values.reuse) throw new UsageError('Give the number of students: --students <n> (or --reuse an existing resources file).');
  if (values.force && values.reuse) throw new UsageError('Give --force (new keys) or --reuse (the existing keys), not both.');
  const port = Number(values.port ?? LOCAL_SERVICE.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`Invalid --port "${values.port}": give 0 to 65535.`);
  const out = path.resolve(values.out ?? path.join(PROJECT_ROOT, 'classroom', 'resources.json'));
  return {
    students,
    host: values.host ?? LOCAL_SERVICE.host,
    port,
    publicHost: values['public-host'],
    out,
    force: values.force ?? false,
    reuse: values.reuse ?? false,
    dataDir: path.resolve(values['data-dir'] ?? path.join(path.dirname(out), 'data')),
  };
}

/**
 * The room's resources and the service's configuration for them: with --reuse, those of the existing
 * file; else new ones, which replace the file only once the configuration is known to be valid, so a
 * bad option (an invalid --public-host) leaves no room behind that the next run would refuse to replace.
 */
function prepareRoom(options: Options): { room: ResourceDefinition[]; config: ServiceConfig } {
  const exists = existsSync(options.out);
  if (options.reuse) {
    if (!exists) throw new UsageError(`--reuse: there is no resources file at ${options.out} yet; leave out --reuse to make one.`);
    const room = loadResourcesFile(options.out);
    const students = room.filter((r) => r.name !== INSTRUCTOR).length;
    if (options.students !== undefined && options.students !== students) {
      throw new UsageError(`--reuse: ${options.out} has ${students} students, not ${options.students}; use --force to make a new room (the old keys stop working).`);
    }
    return { room, config: serviceConfig(options, options.out) };
  }
  if (exists && !options.force) {
    throw new UsageError(
      `${options.out} exists already: pass --reuse to start the room again with its keys, or --force to replace it with new keys (the students' current keys then stop working).`,
    );
  }
  const room = newRoom(options.students as number);
  const draft = `${options.out}.new`;
  writeResourcesFile(draft, room);
  try {
    const config = serviceConfig(options, draft);
    renameSync(draft, options.out);
    return { room, config };
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The service's own configuration for the room, from its resources file: its keys are the file's only. */
function serviceConfig(options: Options, resourcesFile: string): ServiceConfig {
  const args = ['--resources', resourcesFile, '--host', options.host, '--port', String(options.port), '--data-dir', options.dataDir];
  if (options.publicHost) args.push('--public-host', options.publicHost);
  // Keys from the environment would clash with the file's; the room needs none of them.
  const env = { ...process.env };
  for (const name of ['CVLAB_TRAINING_KEY', 'CVLAB_PREDICTION_KEY', 'CVLAB_RESOURCES']) delete env[name];
  return parseConfig(args, env) as ServiceConfig;
}

async function main(): Promise<number> {
  let options: Options | 'help';
  let config: ServiceConfig;
  let room: ResourceDefinition[];
  try {
    options = readOptions(process.argv.slice(2));
    if (options === 'help') {
      console.log(USAGE);
      return 0;
    }
    ({ room, config } = prepareRoom(options));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${error instanceof UsageError ? USAGE : ''}`.trimEnd());
    return 2;
  }
  const service = await serveUntilSignal(config);
  const endpoint = studentEndpoint({ host: options.host, port: Number(new URL(service.url).port), publicHost: options.publicHost });
  const rows = handouts(room, endpoint);
  const { csvFile, envFolder } = writeHandouts(path.dirname(options.out), rows);
  console.log(`\nThe room: ${rows.length - 1} students and the instructor, each with projects of their own.\n`);
  console.log(table(rows));
  console.log(`\nResources file: ${options.out}`);
  console.log(`The same as CSV: ${csvFile}`);
  console.log(`For each student's lab: ${envFolder}${path.sep}<name>.env, to save as .env at the root of their copy of the lab`);
  console.log('(it names their endpoint, keys and VISION_PREDICTION_RESOURCE_ID, their own resource, which publishing needs).');
  if (isLoopbackHost(options.host)) console.log(`\nListening on ${options.host}: only this machine can reach it. For the room's network: --host 0.0.0.0.`);
  console.log('\nCtrl-C stops the service; `npm run classroom -- --reuse` starts it again with the same keys.');
  return 0; // the service keeps the process alive until a signal stops it (serveUntilSignal)
}

if (require.main === module) runMain(main);
