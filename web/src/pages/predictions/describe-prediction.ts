/** @module How a stored prediction is named in labels and messages: its top tag and probability, and when it was made. */
import type { Prediction, StoredImagePrediction } from '../../api/types';
import { dateTime, percent } from '../../components/format';

const SHOWN_TAGS = 3;

export function topPredictions(prediction: StoredImagePrediction): Prediction[] {
  return [...prediction.predictions].sort((a, b) => b.probability - a.probability).slice(0, SHOWN_TAGS);
}

/** "Barren 93.8%, 12/2/2026, 3:51:27 AM". */
export function describePrediction(prediction: StoredImagePrediction): string {
  const [top] = topPredictions(prediction);
  return `${top ? `${top.tagName} ${percent(top.probability)}` : 'No tag'}, ${dateTime(prediction.created)}`;
}
