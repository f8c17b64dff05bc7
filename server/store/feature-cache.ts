/** @module Backbone features cached by image content hash and backbone fingerprint. */
import type { Db } from './db';

/** Each cached entry holds every view of one image, concatenated. */
export class FeatureCache {
  private readonly select;
  private readonly insert;

  constructor(db: Db) {
    this.select = db.prepare<[string, string], { data: Buffer }>('SELECT data FROM features WHERE hash = ? AND fingerprint = ?');
    this.insert = db.prepare('INSERT OR REPLACE INTO features (hash, fingerprint, data) VALUES (?, ?, ?)');
  }

  get(hash: string, fingerprint: string): Float32Array | undefined {
    const row = this.select.get(hash, fingerprint);
    if (!row) return undefined;
    // Copy into an aligned buffer: SQLite blobs may start at any byte offset.
    const copy = new Uint8Array(row.data.byteLength);
    copy.set(row.data);
    return new Float32Array(copy.buffer);
  }

  set(hash: string, fingerprint: string, features: Float32Array): void {
    this.insert.run(hash, fingerprint, Buffer.from(features.buffer, features.byteOffset, features.byteLength));
  }
}
