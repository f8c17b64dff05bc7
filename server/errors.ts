/** @module The one error type of the service: a Custom Vision error code plus the HTTP status it maps to. */

/**
 * Thrown anywhere in the service (routes, project rules, storage) and turned into the spec's
 * `CustomVisionError` body `{ code, message }` by the HTTP layer's single error handler.
 */
export class CustomVisionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CustomVisionError';
  }
}

export const badRequest = (code: string, message: string) => new CustomVisionError(400, code, message);
export const notFound = (code: string, message: string) => new CustomVisionError(404, code, message);
export const unauthorized = (message: string) => new CustomVisionError(401, 'Unauthorized', message);
export const conflict = (code: string, message: string) => new CustomVisionError(409, code, message);
export const unsupportedMediaType = (message: string) => new CustomVisionError(415, 'UnsupportedMediaType', message);
