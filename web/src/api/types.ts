/** @module The Custom Vision REST API's JSON, as the portal reads it (dates stay ISO strings). */

export type ClassificationType = 'Multiclass' | 'Multilabel';

export interface Domain {
  id: string;
  name: string;
  type: 'Classification' | 'ObjectDetection';
  exportable: boolean;
  enabled: boolean;
  exportablePlatforms: string[];
}

export interface Project {
  id: string;
  name: string;
  description: string;
  settings: { domainId: string; classificationType?: ClassificationType; targetExportPlatforms?: string[] };
  created: string;
  lastModified: string;
  thumbnailUri?: string;
}

export interface Tag {
  id: string;
  name: string;
  description?: string;
  type: 'Regular' | 'Negative' | 'GeneralProduct';
  imageCount: number;
}

export interface ImageTag {
  tagId: string;
  tagName: string;
  created: string;
}

export interface Image {
  id: string;
  created: string;
  width: number;
  height: number;
  resizedImageUri: string;
  thumbnailUri: string;
  originalImageUri: string;
  tags?: ImageTag[] | null;
  metadata?: Record<string, string> | null;
}

export interface ImageCreateResult {
  sourceUrl: string;
  status: string;
  image?: Image;
}

export interface ImageCreateSummary {
  isBatchSuccessful: boolean;
  images: ImageCreateResult[];
}

export type IterationStatus = 'Training' | 'Completed' | 'Failed' | string;

export interface Iteration {
  id: string;
  name: string;
  status: IterationStatus;
  created: string;
  lastModified: string;
  trainedAt?: string | null;
  projectId: string;
  exportable: boolean;
  exportableTo?: string[];
  domainId?: string | null;
  classificationType?: ClassificationType;
  trainingType: 'Regular' | 'Advanced';
  reservedBudgetInHours: number;
  trainingTimeInMinutes?: number;
  publishName?: string | null;
  originalPublishResourceId?: string | null;
  /** Why training failed, when it did. */
  trainingErrorDetails?: string | null;
}

export interface TagPerformance {
  id: string;
  name: string;
  precision: number;
  precisionStdDeviation: number;
  recall: number;
  recallStdDeviation: number;
  averagePrecision: number;
}

export interface IterationPerformance {
  perTagPerformance: TagPerformance[];
  precision: number;
  precisionStdDeviation: number;
  recall: number;
  recallStdDeviation: number;
  averagePrecision: number;
}

export interface Prediction {
  probability: number;
  tagId: string;
  tagName: string;
}

export interface ImagePerformance {
  id: string;
  created: string;
  width: number;
  height: number;
  imageUri: string;
  thumbnailUri: string;
  tags: ImageTag[];
  predictions: Prediction[];
}

export interface ImagePrediction {
  id: string;
  project: string;
  iteration: string;
  created: string;
  predictions: Prediction[];
}

export interface StoredImagePrediction extends ImagePrediction {
  resizedImageUri: string;
  thumbnailUri: string;
  originalImageUri: string;
  domain: string;
}

export interface PredictionQueryTag {
  id: string;
  minThreshold: number;
  maxThreshold: number;
}

export interface PredictionQueryToken {
  session?: string;
  continuation?: string;
  maxCount?: number;
  orderBy?: 'Newest' | 'Oldest' | 'Suggested';
  tags?: PredictionQueryTag[];
  iterationId?: string;
  startTime?: string;
  endTime?: string;
  application?: string;
}

export interface PredictionQueryResult {
  token: PredictionQueryToken;
  results: StoredImagePrediction[];
}

export interface Export {
  platform: string;
  status: 'Exporting' | 'Failed' | 'Done' | string;
  downloadUri?: string | null;
  flavor?: string | null;
  newerVersionAvailable: boolean;
}
