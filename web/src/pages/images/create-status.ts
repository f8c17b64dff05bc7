/** @module What each image's status in an ImageCreateSummary means, in words, and whether it counts as uploaded, duplicate or failed. */

/** Before the answer comes: still to send, or sent and waiting. */
export type PendingStatus = 'queued' | 'uploading';

export type Outcome = 'pending' | 'uploaded' | 'duplicate' | 'failed';

const EXPLANATIONS: Record<string, string> = {
  ErrorImageFormat: 'not an image the service can read (JPEG, PNG, BMP or GIF)',
  ErrorImageSize: 'larger than the 6 MB the API accepts per image',
  ErrorImageDimensions: 'its sides are too long (over 10,240 pixels) or too unequal (over 25:1)',
  ErrorSource: 'the address could not be fetched',
  ErrorStorage: 'the service could not store it',
  ErrorLimitExceed: 'the project holds as many images as it may',
  ErrorTagLimitExceed: 'too many tags for one image',
  ErrorInvalidTag: 'a chosen tag no longer exists',
  ErrorNegativeAndRegularTagOnSameImage: 'the Negative tag cannot go with another tag',
  ErrorUnknown: 'the service could not say why',
};

export function outcomeOf(status: string): Outcome {
  if (status === 'queued' || status === 'uploading') return 'pending';
  if (status === 'OK') return 'uploaded';
  if (status === 'OKDuplicate') return 'duplicate';
  return 'failed';
}

/** The words shown next to a file or URL: the API's status code, explained. */
export function describeStatus(status: string): string {
  switch (status) {
    case 'queued':
      return 'Queued';
    case 'uploading':
      return 'Uploading…';
    case 'OK':
      return 'OK';
    case 'OKDuplicate':
      return 'Duplicate (OKDuplicate): already in the project';
    default:
      return EXPLANATIONS[status] ? `${status}: ${EXPLANATIONS[status]}` : status;
  }
}

/** "N uploaded, D duplicates, F failed" for a finished batch. */
export function summaryLine(statuses: readonly string[]): string {
  const count = (outcome: Outcome) => statuses.filter((s) => outcomeOf(s) === outcome).length;
  const duplicates = count('duplicate');
  return `${count('uploaded')} uploaded, ${duplicates} duplicate${duplicates === 1 ? '' : 's'}, ${count('failed')} failed`;
}
