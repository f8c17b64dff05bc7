/** @module A raw HTTP/1.1 client on a TCP socket, for requests no HTTP library would send (bad framing, huge headers, oversized bodies). */
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** A socket error seen while writing or reading (EPIPE, ECONNRESET), if any. */
  socketError?: string;
}

/**
 * Connects, writes every piece in turn (waiting for the socket to drain, as a client sending a
 * large body would), then reads until the server closes the connection.
 */
export function rawRequest(url: string, pieces: Iterable<Buffer | string>): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const received: Buffer[] = [];
    let socketError: string | undefined;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (socketError ??= error.code ?? error.message));
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP response (socket error: ${socketError ?? 'none'}): ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4), socketError });
    });
    socket.once('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed || socket.writableEnded) break;
        if (!socket.write(piece)) await drained(socket);
      }
      if (!socket.destroyed) socket.end();
    });
  });
}

/** Resolves when the socket can take more, or has closed. */
function drained(socket: net.Socket): Promise<void> {
  return new Promise((resume) => {
    const go = () => {
      socket.off('drain', go).off('close', go);
      resume();
    };
    socket.on('drain', go).on('close', go);
  });
}

/** `count` pieces of `size` bytes, made as they are sent so a large body is never held whole. */
export function* filler(count: number, size = 1024 * 1024): Generator<Buffer> {
  const piece = Buffer.alloc(size, 0x41);
  for (let i = 0; i < count; i++) yield piece;
}
