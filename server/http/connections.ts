/** @module Prompt shutdown: connections with no request in progress are ended when the server closes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * On close, connections with no request in progress are ended at once. Fastify ends idle keep-alive
 * connections itself, but not one a client opened and never sent on (an HTTP agent's spare socket):
 * shutting down would wait for Node's 60 s headers timeout.
 */
export function closeQuietConnections(app: FastifyInstance): void {
  const inProgress = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    inProgress.set(socket, 0);
    socket.on('close', () => inProgress.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1);
    response.on('close', () => inProgress.set(socket, (inProgress.get(socket) ?? 1) - 1));
  });
  app.addHook('preClose', async () => {
    for (const [socket, requests] of inProgress) if (requests === 0) socket.destroy();
  });
}
