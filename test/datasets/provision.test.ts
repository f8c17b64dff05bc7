/** Tests for asset provisioning: mirror copy, idempotence, repair, checksum and network failures, downloads. */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseManifest } from '../../datasets/manifest';
import { aidValidationDir, backboneWeightsDir, datasetDir, ensureAssets } from '../../datasets/paths';
import { AssetError, type ManifestEntry, provisionAssets, readManifest } from '../../datasets/provision';
import { STATE_FILE } from '../../datasets/verify';
import { datasetRoot } from '../../lib/src/dataset';

const ROOT = path.resolve(__dirname, '..', '..');
// CI sets CVLAB_ASSETS_MIRROR=../shared/assets; the same folder is the default beside a checkout.
const REAL_MIRROR = path.resolve(ROOT, process.env.CVLAB_ASSETS_MIRROR ?? '../shared/assets');
const MANIFEST = readManifest();
const WEIGHTS = 'models/mobilenetv2-7-weights';
/** The largest weight file of the float backbone. */
const WEIGHT = `${WEIGHTS}/weights/conv_95_weight.npy`;

const tmpRoots: string[] = [];
function tmpDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cvlab-${label}-`));
  tmpRoots.push(dir);
  return dir;
}
after(() => {
  for (const dir of tmpRoots) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every regular file under `dir`, as relative POSIX paths. */
function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    return d.isDirectory() ? listFiles(path.join(dir, d.name), rel) : [rel];
  });
}

function sha256Of(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function at(dir: string, rel: string): string {
  return path.join(dir, ...rel.split('/'));
}

/** Checks, independently of the code under test, that `dir` holds exactly `entries` (plus the state file), all intact. */
function assertAllVerified(dir: string, entries: ManifestEntry[] = MANIFEST): void {
  const expected = [...entries.map((e) => e.path), STATE_FILE].sort();
  assert.deepEqual(listFiles(dir).sort(), expected);
  for (const e of entries) {
    const file = at(dir, e.path);
    assert.equal(fs.statSync(file).size, e.bytes, `size of ${e.path}`);
    assert.equal(sha256Of(file), e.sha256, `sha256 of ${e.path}`);
  }
}

function assertNoTempFiles(dir: string): void {
  assert.deepEqual(listFiles(dir).filter((f) => f.endsWith('.part')), []);
}

/** Flips one byte in the middle of a file, keeping its size (and optionally its exact mtime). */
function flipByte(file: string, keepMtime: boolean): void {
  // `touch -r` copies timestamps to the nanosecond, which fs.utimes (float seconds) cannot.
  const ref = `${file}.mtime-ref`;
  if (keepMtime) execFileSync('touch', ['-r', file, ref]);
  const buf = fs.readFileSync(file);
  const i = Math.floor(buf.length / 2);
  buf[i] = (buf[i] ?? 0) ^ 0xff;
  fs.writeFileSync(file, buf);
  if (keepMtime) {
    execFileSync('touch', ['-r', ref, file]);
    fs.rmSync(ref);
  }
}

/** A mirror made of symlinks into the real one, except `bad`, which is an altered copy. */
function mirrorWithCorruptFile(bad: string, alter: (file: string) => void): string {
  const dir = tmpDir('badmirror');
  for (const e of MANIFEST) {
    const dest = at(dir, e.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (e.path === bad) {
      fs.copyFileSync(at(REAL_MIRROR, e.path), dest);
      alter(dest);
    } else fs.symlinkSync(at(REAL_MIRROR, e.path), dest);
  }
  return dir;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function withUrl(entries: ManifestEntry[], base: string): ManifestEntry[] {
  return entries.map((e) => ({ ...e, sourceUrl: `${base}/${e.path}` }));
}

test('the real mirror is available for these tests', () => {
  assert.ok(fs.existsSync(path.join(REAL_MIRROR, WEIGHT)), `no assets mirror at ${REAL_MIRROR}; set CVLAB_ASSETS_MIRROR`);
});

describe('manifest', () => {
  test('the project copy lists the same 882 files as the shared manifest', () => {
    assert.equal(MANIFEST.length, 882);
    assert.deepEqual(MANIFEST, readManifest(path.join(REAL_MIRROR, 'MANIFEST.tsv')));
    assert.equal(MANIFEST.filter((e) => e.path.startsWith('datasets/aerial-small/')).length, 530);
    assert.equal(MANIFEST.filter((e) => e.path.startsWith('datasets/aid-validation/')).length, 240);
    // 52 convolutions (weight + bias), the classifier's bias, 3 reference input/output pairs.
    assert.equal(MANIFEST.filter((e) => e.path.startsWith(`${WEIGHTS}/`)).length, 52 * 2 + 1 + 3 * 2);
    assert.ok(MANIFEST.some((e) => e.path === WEIGHT && e.bytes === 1638496));
    assert.ok(MANIFEST.some((e) => e.path === 'models/mobilenetv2-12-int8.onnx' && e.bytes === 3655033));
  });

  test('rejects paths that would escape the target and malformed rows', () => {
    const head = 'path\tbytes\tsha256\tsource_url\n';
    const row = (p: string, bytes = '1', sha = 'a'.repeat(64)): string => `${head}${p}\t${bytes}\t${sha}\thttps://x/y\n`;
    assert.equal(parseManifest(row('a/b.png')).length, 1);
    assert.throws(() => parseManifest(row('../evil')), /unsafe path/);
    assert.throws(() => parseManifest(row('/etc/passwd')), /unsafe path/);
    assert.throws(() => parseManifest(row('a/./b')), /unsafe path/);
    assert.throws(() => parseManifest(row('a', '1.5')), /bytes/);
    assert.throws(() => parseManifest(row('a', '1', 'A'.repeat(64))), /sha256/);
    assert.throws(() => parseManifest(`x\ty\n`), /header/);
  });
});

describe('provisioning from the real mirror', () => {
  let target = '';
  before(() => {
    target = path.join(tmpDir('target'), 'assets');
  });

  test('copies every file, all verifying', async () => {
    const report = await provisionAssets({ target, mirror: REAL_MIRROR });
    assert.equal(report.source, 'mirror');
    assert.equal(report.files, MANIFEST.length);
    assert.equal(report.fetched.length, MANIFEST.length);
    assert.equal(report.present, 0);
    assert.equal(report.fetchedBytes, MANIFEST.reduce((s, e) => s + e.bytes, 0));
    assertAllVerified(target);
  });

  test('a second run copies nothing, hashes nothing and is fast', async () => {
    const before = new Map(MANIFEST.map((e) => [e.path, fs.statSync(at(target, e.path))]));
    const report = await provisionAssets({ target, mirror: REAL_MIRROR });
    assert.deepEqual(report.fetched, []);
    assert.equal(report.present, MANIFEST.length);
    assert.equal(report.hashed, 0);
    // hashed === 0 is the real proof of a cheap run; the time bound is loose for loaded CI machines.
    assert.ok(report.elapsedMs < 3000, `took ${report.elapsedMs} ms`);
    for (const e of MANIFEST) {
      const st = fs.statSync(at(target, e.path));
      const was = before.get(e.path);
      assert.ok(was && st.ino === was.ino && st.mtimeMs === was.mtimeMs, `${e.path} was rewritten`);
    }
  });

  test('a run that does not trust the cache re-hashes every file and still copies nothing', async () => {
    const report = await provisionAssets({ target, mirror: REAL_MIRROR, trustCache: false });
    assert.equal(report.hashed, MANIFEST.length);
    assert.deepEqual(report.fetched, []);
  });

  test('repairs corrupted, truncated and deleted files, even with the mtime put back', async () => {
    const [flipped, truncated, deleted] = [MANIFEST[3], MANIFEST[200], MANIFEST[530]].map((e) => e?.path ?? '');
    const mtimeNs = fs.statSync(at(target, flipped), { bigint: true }).mtimeNs;
    flipByte(at(target, flipped), true);
    assert.equal(fs.statSync(at(target, flipped), { bigint: true }).mtimeNs, mtimeNs, 'mtime put back exactly');
    fs.truncateSync(at(target, truncated), 100);
    fs.rmSync(at(target, deleted));
    assert.notEqual(sha256Of(at(target, flipped)), MANIFEST[3]?.sha256);

    const report = await provisionAssets({ target, mirror: REAL_MIRROR });
    assert.deepEqual([...report.fetched].sort(), [flipped, truncated, deleted].sort());
    assert.deepEqual([...report.repaired].sort(), [flipped, truncated].sort());
    assert.equal(report.present, MANIFEST.length - 3);
    assertAllVerified(target);
  });

  test('paths.ts and ensureAssets() follow CVLAB_ASSETS_DIR and CVLAB_ASSETS_MIRROR', async () => {
    const saved = { dir: process.env.CVLAB_ASSETS_DIR, mirror: process.env.CVLAB_ASSETS_MIRROR };
    try {
      process.env.CVLAB_ASSETS_DIR = target;
      process.env.CVLAB_ASSETS_MIRROR = REAL_MIRROR;
      assert.equal(backboneWeightsDir(), at(target, WEIGHTS));
      assert.equal(datasetDir(), at(target, 'datasets/aerial-small'));
      assert.equal(aidValidationDir(), at(target, 'datasets/aid-validation'));
      assert.ok(fs.existsSync(path.join(datasetDir(), 'train', 'Barren')));
      assert.equal(datasetRoot(), datasetDir(), 'the notebooks read the dataset where setup put it');
      const cwd = process.cwd();
      try {
        process.chdir(os.tmpdir());
        process.env.CVLAB_ASSETS_DIR = path.relative(ROOT, target);
        assert.equal(datasetRoot(), at(target, 'datasets/aerial-small'), 'a relative folder is taken from the project root, not the working folder');
      } finally {
        process.chdir(cwd);
        process.env.CVLAB_ASSETS_DIR = target;
      }

      const cheap = await ensureAssets();
      assert.equal(cheap.hashed, 0);
      assert.deepEqual(cheap.fetched, []);

      fs.rmSync(at(target, WEIGHT));
      const fixed = await ensureAssets();
      assert.deepEqual(fixed.fetched, [WEIGHT]);
      assert.equal(sha256Of(at(target, WEIGHT)), MANIFEST.find((e) => e.path === WEIGHT)?.sha256);
    } finally {
      for (const [key, value] of [['CVLAB_ASSETS_DIR', saved.dir], ['CVLAB_ASSETS_MIRROR', saved.mirror]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('a corrupt mirror', () => {
  const bad = MANIFEST[120]?.path ?? '';

  test('fails naming the file with a wrong checksum and leaves no partial or bad file', async () => {
    const mirror = mirrorWithCorruptFile(bad, (f) => flipByte(f, false));
    const target = tmpDir('t-badsum');
    await assert.rejects(provisionAssets({ target, mirror }), (err: unknown) => {
      assert.ok(err instanceof AssetError, String(err));
      assert.equal(err.file, bad);
      assert.match(err.message, new RegExp(`^${bad}.*fails its checksum`));
      assert.match(err.message, /CVLAB_ASSETS_MIRROR/);
      return true;
    });
    assert.equal(fs.existsSync(at(target, bad)), false);
    assertNoTempFiles(target);
    // Whatever did get copied before the stop is intact.
    for (const rel of listFiles(target).filter((f) => f !== STATE_FILE)) {
      assert.equal(sha256Of(at(target, rel)), MANIFEST.find((e) => e.path === rel)?.sha256, rel);
    }
  });

  test('fails on a wrong size too, and removes a bad copy already in the target', async () => {
    const mirror = mirrorWithCorruptFile(bad, (f) => fs.appendFileSync(f, 'junk'));
    const target = tmpDir('t-badsize');
    fs.mkdirSync(path.dirname(at(target, bad)), { recursive: true });
    fs.writeFileSync(at(target, bad), 'not a png');
    await assert.rejects(provisionAssets({ target, mirror }), (err: unknown) => {
      assert.ok(err instanceof AssetError && err.file === bad, String(err));
      assert.match(err.message, /bytes/);
      return true;
    });
    assert.equal(fs.existsSync(at(target, bad)), false);
    assertNoTempFiles(target);
  });

  test('failing runs at high concurrency never leave a temp file behind (abort races)', async () => {
    const mirror = mirrorWithCorruptFile(bad, (f) => fs.appendFileSync(f, 'junk'));
    for (let run = 0; run < 8; run++) {
      const target = tmpDir('t-race');
      await assert.rejects(provisionAssets({ target, mirror, concurrency: 32 }), AssetError);
      assertNoTempFiles(target);
      assert.equal(fs.existsSync(at(target, bad)), false);
    }
  });

  test('`npm run setup` exits 1 with the message on stderr; succeeds with one line on a good mirror', () => {
    const mirror = mirrorWithCorruptFile(bad, (f) => flipByte(f, false));
    const target = tmpDir('t-cli');
    const run = (mirrorDir: string): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, ['--import', 'tsx', 'datasets/provision.ts', '--quiet'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, CVLAB_ASSETS_DIR: target, CVLAB_ASSETS_MIRROR: mirrorDir },
      });
    const failed = run(mirror);
    assert.equal(failed.status, 1, String(failed.stderr));
    assert.match(String(failed.stderr), new RegExp(`^setup: ${bad}.*fails its checksum`));
    assert.equal(String(failed.stdout), '');
    assert.equal(fs.existsSync(at(target, bad)), false);

    const ok = run(REAL_MIRROR);
    assert.equal(ok.status, 0, String(ok.stderr));
    const lines = String(ok.stdout).trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^assets: 882 files .* verified in /);
    assertAllVerified(target);
  });
});

describe('downloading', () => {
  const subset = [...MANIFEST.slice(0, 24), ...MANIFEST.filter((e) => e.path === WEIGHT)];

  test('an unreachable URL without a mirror fails clearly, naming the file, URL and remedies', async () => {
    const port = await closedPort();
    const entries = withUrl(subset.slice(0, 3), `http://127.0.0.1:${port}`);
    const target = tmpDir('t-offline');
    const started = Date.now();
    await assert.rejects(provisionAssets({ manifest: entries, target, mirror: null, retries: 2, retryDelayMs: 10 }), (err: unknown) => {
      assert.ok(err instanceof AssetError, String(err));
      assert.ok(entries.some((e) => e.path === err.file));
      assert.ok(err.message.includes(`Could not download ${err.file} from http://127.0.0.1:${port}/${err.file}`), err.message);
      assert.match(err.message, /ECONNREFUSED/);
      assert.match(err.message, /after 3 attempts/);
      assert.match(err.message, /network access/);
      assert.match(err.message, /CVLAB_ASSETS_MIRROR/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(listFiles(target), []);
  });

  describe('from a local HTTP server', () => {
    let server: http.Server;
    let base = '';
    let inFlight = 0;
    let maxInFlight = 0;
    const hits = new Map<string, number>();
    const modes = { corrupt: '', stall: '', flaky: true };

    before(async () => {
      server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        // /r/<path> redirects to /f/<path>, which serves the mirror file (first hit: 503).
        if (url.pathname.startsWith('/r/')) {
          res.writeHead(302, { location: `/f/${url.pathname.slice(3)}` }).end();
          return;
        }
        const rel = decodeURIComponent(url.pathname.slice(3));
        const n = (hits.get(rel) ?? 0) + 1;
        hits.set(rel, n);
        if (modes.flaky && n === 1) {
          res.writeHead(503).end('busy');
          return;
        }
        if (rel === modes.stall) {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.write(Buffer.alloc(10));
          return; // never ends
        }
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          const body = fs.readFileSync(at(REAL_MIRROR, rel));
          if (rel === modes.corrupt) body[10] = (body[10] ?? 0) ^ 0xff;
          res.writeHead(200).end(body);
        }, 20);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    test('follows redirects, retries a 503, runs a few at a time and verifies everything', async () => {
      const target = tmpDir('t-http');
      const report = await provisionAssets({ manifest: withUrl(subset, `${base}/r`), target, mirror: null, retryDelayMs: 10 });
      assert.equal(report.source, 'download');
      assert.equal(report.fetched.length, subset.length);
      assertAllVerified(target, subset);
      for (const e of subset) assert.equal(hits.get(e.path), 2, `${e.path}: one 503, then the file`);
      assert.ok(maxInFlight > 1 && maxInFlight <= 6, `max concurrent downloads ${maxInFlight}`);
    });

    test('a download with a wrong checksum fails naming the file and leaves nothing behind', async () => {
      modes.flaky = false;
      modes.corrupt = subset[5]?.path ?? '';
      const target = tmpDir('t-http-bad');
      await assert.rejects(provisionAssets({ manifest: withUrl(subset, `${base}/r`), target, mirror: null }), (err: unknown) => {
        assert.ok(err instanceof AssetError && err.file === modes.corrupt, String(err));
        assert.match(err.message, /downloaded from .* fails its checksum/);
        return true;
      });
      assert.equal(fs.existsSync(at(target, modes.corrupt)), false);
      assertNoTempFiles(target);
      modes.corrupt = '';
    });

    test('a failure aborting the downloads in flight never escapes as an uncaught error', async () => {
      // The abort can land while a sibling's response has arrived but its body is not yet piped:
      // a race, so repeat it (before the fix, about one round in 15 crashed the process).
      modes.flaky = false;
      modes.corrupt = subset[5]?.path ?? '';
      const entries = withUrl(subset.slice(0, 12), `${base}/f`);
      for (let round = 0; round < 40; round++) {
        const target = tmpDir('t-http-race');
        await assert.rejects(provisionAssets({ manifest: entries, target, mirror: null }), (err: unknown) => err instanceof AssetError && err.file === modes.corrupt);
        assertNoTempFiles(target);
      }
      modes.corrupt = '';
    });

    test('a stalled download times out, is retried, then fails without a partial file', { timeout: 10_000 }, async () => {
      modes.stall = subset[2]?.path ?? '';
      const target = tmpDir('t-http-stall');
      const entries = withUrl([subset[2] as ManifestEntry], `${base}/f`);
      await assert.rejects(provisionAssets({ manifest: entries, target, mirror: null, timeoutMs: 200, retries: 1, retryDelayMs: 10 }), (err: unknown) => {
        assert.ok(err instanceof AssetError && err.file === modes.stall, String(err));
        assert.match(err.message, /timed out.*after 2 attempts/);
        return true;
      });
      assert.deepEqual(listFiles(target), []);
      modes.stall = '';
    });
  });
});
