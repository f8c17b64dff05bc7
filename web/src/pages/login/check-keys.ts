/** @module Checks keys the way any client finds out: one cheap call each, and a 401 means wrong. */
import { Api, ApiError, type Keys } from '../../api/client';

const NO_PROJECT = '00000000-0000-0000-0000-000000000000';

/** Resolves when the keys work; rejects with the API's 401 (or why the service cannot be reached). */
export async function checkKeys(keys: Keys): Promise<void> {
  const api = new Api(keys);
  await api.training('GET', '/projects');
  if (!keys.predictionKey) return;
  try {
    // An unknown project: a good key gets 404, a wrong one 401, before anything else is looked at.
    await api.prediction('POST', `/${NO_PROJECT}/classify/iterations/none/url`, { json: { url: 'http://example.invalid/' } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, error.code, `Prediction key: ${error.message}`);
  }
}
