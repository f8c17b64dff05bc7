/**
 * @module Smoke test of the container tooling: an image built FROM the local base image (no registry, no
 * network) runs a small Node HTTP server that loads the prebuilt native modules of sharp and
 * onnxruntime-node copied into its build context, resizes nothing but really encodes a PNG and runs a tiny
 * ONNX model. Reached both ways that work here: `--network host` (HTTP from this process on loopback)
 * and `--network none` (HTTP from inside, via `podman exec`). Skipped, with the reason, when no container
 * runtime is usable (see scripts/apt-packages-container.txt). Run:
 * `node --import tsx --test test/support/container-smoke.test.ts`
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { onnx } from 'onnx-proto';
import {
  buildImage,
  detectContainerRuntime,
  ensureBaseImage,
  execInContainer,
  imageSize,
  removeImage,
  runContainer,
  stopContainer,
  waitForLog,
  type RunningContainer,
} from './container-base';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

const DOCKERFILE = `ARG BASE_IMAGE=localhost/cvlab-node-base:latest
FROM $BASE_IMAGE
WORKDIR /app
COPY node_modules ./node_modules
COPY server.js model.onnx ./
ENV NODE_ENV=production
USER nobody
CMD ["node", "server.js"]
`;

const SERVER_JS = `const http = require('http');
const sharp = require('sharp');
const ort = require('onnxruntime-node');
const session = ort.InferenceSession.create(__dirname + '/model.onnx');
const server = http.createServer(async (req, res) => {
  try {
    const meta = await sharp(await sharp({ create: { width: 4, height: 3, channels: 3, background: '#f00' } }).png().toBuffer()).metadata();
    const t = (v) => new ort.Tensor('float32', Float32Array.from(v), [3]);
    const out = await (await session).run({ a: t([1, 2, 3]), b: t([10, 20, 30]) });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ node: process.version, uid: process.getuid(), nets: Object.keys(require('os').networkInterfaces()),
      sharp: { vips: sharp.versions.vips, format: meta.format, width: meta.width, height: meta.height }, ort: { version: ort.env.versions.node, y: Array.from(out.y.data) } }));
  } catch (err) { res.statusCode = 500; res.end(String((err && err.stack) || err)); }
});
server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => console.log('listening on ' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A 3-element float Add model (y = a + b), made here so the test needs no downloaded weights. */
function tinyAddModel(): Uint8Array {
  const vi = (name: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 3 }] } } },
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'cvlab-container-smoke',
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'add', node: [{ opType: 'Add', input: ['a', 'b'], output: ['y'] }], input: [vi('a'), vi('b')], output: [vi('y')] },
    }),
  ).finish();
}

/**
 * Copies installed packages and their dependency closure (dependencies + installed optionalDependencies)
 * from `fromRoot/node_modules` into `toNodeModules`, as `npm install` would have laid them out.
 * onnxruntime-node keeps only this platform's binaries (the other platforms are ~240 MB) and drops its
 * install-time-only dependencies (adm-zip, global-agent: its postinstall script's downloader).
 */
function copyPackages(names: string[], fromRoot: string, toNodeModules: string): string[] {
  const skipDeps = new Set(['adm-zip', 'global-agent']);
  const copied = new Set<string>();
  const visit = (name: string, optional: boolean) => {
    if (copied.has(name) || skipDeps.has(name)) return;
    const src = path.join(fromRoot, 'node_modules', name);
    if (!existsSync(path.join(src, 'package.json'))) {
      if (optional) return; // other platforms' prebuilt packages, not installed here
      throw new Error(`${name} is not installed in ${fromRoot}/node_modules (run npm ci)`);
    }
    copied.add(name);
    const ortBin = path.join(src, 'bin', 'napi-v6');
    cpSync(src, path.join(toNodeModules, name), {
      recursive: true,
      dereference: true,
      filter: (file) => {
        if (name !== 'onnxruntime-node' || !file.startsWith(`${ortBin}${path.sep}`)) return true;
        const [platform, arch] = path.relative(ortBin, file).split(path.sep);
        return platform === 'linux' && (arch === undefined || arch === process.arch);
      },
    });
    const pkg = JSON.parse(readFileSync(path.join(src, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (!existsSync(path.join(src, 'node_modules', dep))) visit(dep, false); // nested copies came along
    }
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
      if (!existsSync(path.join(src, 'node_modules', dep))) visit(dep, true);
    }
  };
  for (const n of names) visit(n, false);
  return [...copied].sort();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

test('a container FROM the local base image serves HTTP with prebuilt sharp and onnxruntime-node', { timeout: 30 * 60_000 }, async (t) => {
  const runtime = await detectContainerRuntime();
  if (runtime.kind === 'none') {
    t.diagnostic(`no container runtime: ${runtime.reason}`);
    console.log(`container smoke test skipped: ${runtime.reason}`);
    t.skip(runtime.reason);
    return;
  }
  t.diagnostic(`runtime: ${runtime.kind} ${runtime.version}`);
  if (process.platform !== 'linux') throw new Error('the base image and the copied prebuilt binaries are for Linux hosts');

  let started = Date.now();
  const base = await ensureBaseImage({ runtime: runtime.kind, log: (line) => console.log(`[base image] ${line}`) });
  t.diagnostic(`base image ${base} (${((await imageSize(base, runtime.kind)) / 1e6).toFixed(0)} MB) ready in ${seconds(Date.now() - started)}`);

  const id = `${process.pid}-${Date.now().toString(36)}`;
  const tag = `localhost/cvlab-smoke:${id}`;
  const context = mkdtempSync(path.join(os.tmpdir(), 'cvlab-container-smoke-'));
  const containers: RunningContainer[] = [];
  t.after(async () => {
    for (const c of containers) await stopContainer(c);
    await removeImage(tag, runtime.kind);
    rmSync(context, { recursive: true, force: true });
  });

  writeFileSync(path.join(context, 'Dockerfile'), DOCKERFILE);
  writeFileSync(path.join(context, 'server.js'), SERVER_JS);
  writeFileSync(path.join(context, 'model.onnx'), tinyAddModel());
  const packages = copyPackages(['sharp', 'onnxruntime-node'], PROJECT_ROOT, path.join(context, 'node_modules'));
  t.diagnostic(`build context ${context}: ${packages.join(', ')}`);

  started = Date.now();
  await buildImage(context, tag, { BASE_IMAGE: base }, { runtime: runtime.kind });
  t.diagnostic(`built ${tag} in ${seconds(Date.now() - started)}`);

  const checkBody = (body: {
    node: string;
    uid: number;
    nets: string[];
    sharp: { format: string; width: number; height: number };
    ort: { version: string; y: number[] };
  }) => {
    assert.equal(body.node, process.version, "the base image carries this machine's Node");
    assert.equal(body.uid, 65534, 'runs as nobody');
    assert.equal(body.sharp.format, 'png');
    assert.deepEqual([body.sharp.width, body.sharp.height], [4, 3]);
    assert.equal(body.ort.version, '1.30.0');
    assert.deepEqual(body.ort.y, [11, 22, 33]);
  };

  await t.test('--network host: the test calls the server on 127.0.0.1', async () => {
    const t0 = Date.now();
    const c = await runContainer(tag, { name: `cvlab-smoke-host-${id}`, network: 'host', env: { PORT: '0', HOST: '127.0.0.1' }, runtime: runtime.kind });
    containers.push(c);
    const port = Number((await waitForLog(c, /listening on (\d+)/))[1]);
    const listening = Date.now() - t0;
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    checkBody(JSON.parse(text));
    t.diagnostic(`host network: listening ${seconds(listening)} after run, first response ${seconds(Date.now() - t0)} after run`);
  });

  await t.test('--network none: the server is reached from inside the container with exec', async () => {
    const t0 = Date.now();
    const c = await runContainer(tag, { name: `cvlab-smoke-none-${id}`, network: 'none', env: { PORT: '8080' }, runtime: runtime.kind });
    containers.push(c);
    await waitForLog(c, /listening on 8080/);
    const get =
      "require('http').get('http://127.0.0.1:8080/', (r) => { let b = ''; r.on('data', (d) => (b += d));" +
      " r.on('end', () => { process.stdout.write(b); process.exitCode = r.statusCode === 200 ? 0 : 1; }); })" +
      ".on('error', (e) => { console.error(e); process.exitCode = 1; });";
    const r = await execInContainer(c, ['node', '-e', get]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const body = JSON.parse(r.stdout);
    checkBody(body);
    assert.deepEqual(body.nets, ['lo'], 'no network but loopback');
    t.diagnostic(`none network: response via exec ${seconds(Date.now() - t0)} after run`);
  });
});
