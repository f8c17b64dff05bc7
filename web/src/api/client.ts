/**
 * @module The portal's only way to the service: the public REST API, with the keys the user typed,
 * sent in the same headers any client sends. Errors come back as ApiError with the spec's code.
 */

export const TRAINING_PATH = '/customvision/v3.4-preview/training';
/** The version Custom Vision's own portal shows in its Prediction URL dialog. */
export const PREDICTION_PATH = '/customvision/v3.0/prediction';

export interface Keys {
  trainingKey: string;
  /** Empty until the user gives it (only the prediction pages need it). */
  predictionKey: string;
}

/** A query string's values: arrays are sent comma-separated, as the API takes id lists. */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>;

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is: a FormData (multipart upload) or a Blob (raw image). */
  body?: FormData | Blob;
  signal?: AbortSignal;
}

/** An answer other than 2xx: the HTTP status and the spec's `{ code, message }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: string; message?: string; error?: { code?: string; message?: string } };
    const error = body.error ?? body;
    if (error.code || error.message) return new ApiError(response.status, error.code ?? 'Error', error.message ?? response.statusText);
  } catch {
    // Not JSON: a proxy's page, say. Fall through to the status line.
  }
  return new ApiError(response.status, 'Error', `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export class Api {
  constructor(readonly keys: Keys) {}

  /** The endpoint clients use: this page's origin, which serves the API too. */
  get endpoint(): string {
    return `${window.location.origin}/`;
  }

  /** A Training API call (`path` after /training, e.g. `/projects`). */
  training<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.send<T>(method, `${TRAINING_PATH}${path}`, { 'Training-Key': this.keys.trainingKey }, options);
  }

  /** A Prediction API call (`path` after /prediction). */
  prediction<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    if (!this.keys.predictionKey) {
      return Promise.reject(new ApiError(401, 'PredictionKeyMissing', 'Give your prediction key first (Settings, or sign in again with it).'));
    }
    return this.send<T>(method, `${PREDICTION_PATH}${path}`, { 'Prediction-Key': this.keys.predictionKey }, options);
  }

  private async send<T>(method: string, path: string, headers: Record<string, string>, options: RequestOptions): Promise<T> {
    const init: RequestInit = { method, headers: { ...headers }, signal: options.signal, cache: 'no-store' };
    if (options.json !== undefined) {
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      if (options.body instanceof Blob) (init.headers as Record<string, string>)['Content-Type'] = 'application/octet-stream';
      init.body = options.body;
    }
    let response: Response;
    try {
      response = await fetch(`${path}${queryString(options.query)}`, init);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'ServiceUnreachable', 'The local Custom Vision service does not answer. Is it still running? (npm run lab starts it.)');
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
