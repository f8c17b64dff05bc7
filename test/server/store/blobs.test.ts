import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BlobStore, sha256 } from '../../../server/store/blobs';

describe('BlobStore', () => {
  it('stores bytes under their sha256, once', async () => {
    const store = new BlobStore(mkdtempSync(path.join(os.tmpdir(), 'blobs-')));
    const bytes = Buffer.from('hello image');
    const hash = await store.put(bytes);
    assert.equal(hash, sha256(bytes));
    assert.equal(await store.put(bytes), hash);
    assert.deepEqual(await store.get(hash), bytes);
    assert.deepEqual(readdirSync(path.dirname(store.pathOf(hash))), [hash]);
  });

  it('sweeps temporary leftovers and unreferenced blobs, keeping referenced ones', async () => {
    const store = new BlobStore(mkdtempSync(path.join(os.tmpdir(), 'blobs-')));
    const keep = await store.put(Buffer.from('keep'));
    const drop = await store.put(Buffer.from('drop'));
    const leftover = `${store.pathOf(keep)}.abc.tmp`;
    writeFileSync(leftover, 'half');
    assert.equal(store.sweep((h) => h === keep), 2);
    assert.ok(existsSync(store.pathOf(keep)));
    assert.ok(!existsSync(store.pathOf(drop)));
    assert.ok(!existsSync(leftover));
  });
});
