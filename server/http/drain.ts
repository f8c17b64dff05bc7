/**
 * @module Reading and discarding what a client still sends after we decided to refuse its request
 * (an upload over the limit, a bad key, a malformed header): a client that writes its whole body
 * before reading then sees our answer instead of a reset connection (EPIPE, ECONNRESET). Bounded,
 * so a client cannot keep the service reading forever.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface DrainLimits {
  maxBytes: number;
  timeoutInMs: number;
}

/**
 * At most this much is read and thrown away per refused request, after which the connection is
 * closed on it: enough for a JSON batch a little over the 200 MB body limit (MAX_BODY_BYTES).
 */
export const DRAIN_LIMITS: DrainLimits = { maxBytes: 256 * 1024 * 1024, timeoutInMs: 30_000 };

/** What a request holds for its body (an upload's place), to give back once the body is no longer wanted. */
const heldForBody = new WeakMap<IncomingMessage, () => void>();

/**
 * Registers what the request holds for its body: given back as soon as its body is discarded, so a
 * refused body read away for the client's sake holds no place meanwhile.
 */
export function releaseWhenDiscarded(raw: IncomingMessage, release: () => void): void {
  heldForBody.set(raw, release);
}

function releaseHeld(raw: IncomingMessage): void {
  const release = heldForBody.get(raw);
  heldForBody.delete(raw);
  release?.();
}

/**
 * Reads the rest of the request body and throws it away. True once the whole request has been
 * received (the connection can serve the next request), false when the limits were reached or
 * the client went away first.
 */
export function drainRequestBody(raw: IncomingMessage, { maxBytes, timeoutInMs }: DrainLimits = DRAIN_LIMITS): Promise<boolean> {
  releaseHeld(raw);
  if (raw.complete) return Promise.resolve(true);
  if (raw.destroyed || raw.readableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    let received = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (!drained) raw.pause();
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(raw.complete);
    const timer = setTimeout(() => finish(false), timeoutInMs);
    raw.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onClose);
    raw.resume();
  });
}

/**
 * Discards the body of a request answered without reading it (a refusal sent at once): within the
 * same bounds as the drain, instead of Node's own discarding, which reads whatever the client sends.
 * Past the bounds the connection is closed: it cannot carry another request.
 */
export function discardRequestBody(raw: IncomingMessage, limits: DrainLimits = DRAIN_LIMITS): void {
  void drainRequestBody(raw, limits).then((drained) => {
    if (!drained) raw.socket?.destroy();
  });
}

/**
 * Sends a last answer on a connection the HTTP parser gave up on, then reads and discards what
 * the client still sends until it closes its side or the limits are reached.
 */
export function answerAndLinger(socket: Socket, answer: string, { maxBytes, timeoutInMs }: DrainLimits = DRAIN_LIMITS): void {
  // The HTTP server's own reader would only feed more bytes to a parser in error.
  socket.removeAllListeners('data');
  let received = 0;
  const timer = setTimeout(() => socket.destroy(), timeoutInMs);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) socket.destroy();
  });
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
  socket.end(answer);
  socket.resume();
}
