/**
 * @module Answers to requests Node's HTTP parser refuses before Fastify sees them (oversized
 * headers, a garbage request line, a bad Content-Length or chunk size): the spec's error body
 * `{ code, message }`, like every other error, instead of Fastify's default.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { answerAndLinger } from './drain';

/** The error the HTTP server reports: a parser error carries llhttp's code and reason. */
type ClientError = Error & { code?: string; reason?: string };

/** What each kind of refusal answers; anything else the parser refuses is a 400. */
function describe(error: ClientError): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'RequestHeaderFieldsTooLarge', message: 'The request line and headers are larger than the 16 KB the service reads.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'RequestTimeout', message: 'The request did not arrive in time.' };
    case 'HPE_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'BadRequest', message: 'The request is not valid HTTP: its Content-Length is not a number of bytes.' };
    case 'HPE_INVALID_CHUNK_SIZE':
      return { status: 400, code: 'BadRequest', message: 'The request is not valid HTTP: a chunk of its chunked body has a bad size.' };
  }
  const reason = error.reason ?? error.message;
  return { status: 400, code: 'BadRequest', message: `The request is not valid HTTP${reason ? `: ${reason}` : ''}.` };
}

/** The raw HTTP answer, closing the connection: after a parser error nothing more on it can be read as requests. */
export function clientErrorResponse(error: ClientError): string {
  const { status, code, message } = describe(error);
  const body = JSON.stringify({ code, message });
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Fastify's `clientErrorHandler`: answers when no response of an earlier request is under way on the socket, then lingers. */
export function handleClientError(error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: writing now would corrupt a response already started on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  answerAndLinger(socket, clientErrorResponse(error));
}
