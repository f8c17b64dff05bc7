/** @module Content-addressed storage of image bytes on disk, written atomically. */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, existsSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class BlobStore {
  constructor(readonly root: string) {}

  pathOf(hash: string): string {
    return path.join(this.root, hash.slice(0, 2), hash);
  }

  /**
   * Stores the bytes under their sha256 and returns it. The file is written to a temporary name,
   * flushed and renamed, so a crash never leaves a half-written blob under a real name.
   */
  async put(bytes: Buffer): Promise<string> {
    const hash = sha256(bytes);
    const target = this.pathOf(hash);
    if (existsSync(target)) return hash;
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
    return hash;
  }

  get(hash: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(hash));
  }

  /** Removes temporary files left by a crash and blobs that nothing references any more. */
  sweep(isReferenced: (hash: string) => boolean): number {
    let removed = 0;
    if (!existsSync(this.root)) return removed;
    for (const dir of readdirSync(this.root)) {
      const folder = path.join(this.root, dir);
      for (const name of readdirSync(folder)) {
        if (name.endsWith('.tmp') || !isReferenced(name)) {
          unlinkSync(path.join(folder, name));
          removed++;
        }
      }
    }
    return removed;
  }
}
