/** @module One-click retag: the image loses the tags it trained with and gets the one the model predicted (two calls, as the API has no "replace"). */
import type { Api } from '../../api/client';

export async function retagImage(api: Api, projectId: string, imageId: string, oldTagIds: string[], newTagId: string): Promise<void> {
  const stale = oldTagIds.filter((id) => id !== newTagId);
  if (stale.length) await api.training('DELETE', `/projects/${projectId}/images/tags`, { query: { imageIds: [imageId], tagIds: stale } });
  await api.training('POST', `/projects/${projectId}/images/tags`, { json: { tags: [{ imageId, tagId: newTagId }] } });
}
