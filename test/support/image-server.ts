/** @module A loopback HTTP server for image URLs: serves the given files by base name (the query string is ignored). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readImage } from './dataset';

export interface ImageServer {
  /** The URL of one of the files. */
  urlOf(file: string): string;
  close(): void;
}

export async function serveImages(files: readonly string[]): Promise<ImageServer> {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const match = files.find((f) => path.basename(f) === name);
    if (match) res.writeHead(200, { 'content-type': 'image/png' }).end(readImage(match));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { urlOf: (file) => `${root}/${encodeURIComponent(path.basename(file))}`, close: () => server.close() };
}
