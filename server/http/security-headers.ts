/**
 * @module Headers every answer carries: no MIME sniffing, no framing, and a Content-Security-Policy
 * that lets nothing run (the portal's page sets its own, narrower than a browser's default).
 */
import type { FastifyInstance } from 'fastify';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
    if (!reply.hasHeader('Content-Security-Policy')) void reply.header('Content-Security-Policy', API_CSP);
    return payload;
  });
}
