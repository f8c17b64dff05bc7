/**
 * @module cvlab: the lab's helpers, imported by the notebooks as `import * as lab from 'cvlab'`.
 * One surface for Azure and the local Custom Vision service alike: the configuration decides.
 */
export { loadConfig, LOCAL_DEFAULTS, type LabConfig } from './config';
export { connect, predictionClient, trainingClient, type Lab } from './clients';
export { ensureLocalService } from './local-service';
export { datasetRoot, imagesOf, testImages, TAGS, type LabTag } from './dataset';
export { findDomain, findOrCreateProject, findOrCreateTags, findProject, setProjectDomain } from './projects';
export { MAX_BATCH, progressBar, uploadImages, type UploadProgress } from './upload';
export { latestCompletedIteration, trainAndWait, type TrainProgress } from './training';
export { allImagePerformances, findSuspects, retag, type Suspect } from './review';
export { compareChart, confusionChart, confusionMatrix, performanceRows, perTagChart, thresholdChart, thresholdSweep } from './evaluation';
export { displayBundle, escapeHtml, plotHtml, setDisplaySink, showHtml, showPlot, showTable, tableHtml, type Figure } from './display';
export { imageGridHtml, type GridItem } from './grid';
export { anImageUrl, curlCommand, maskKey, predictFileWithHttp, predictFileWithSdk, predictionUrl, predictUrlWithHttp, publish, type RawExchange } from './prediction';
export { describeContents, dockerCommands, downloadExport, exportIteration, readContract, runExportedModel, unzip, type ModelContract } from './export';
export {
  ensureTrainedProject,
  predictionGrid,
  PROJECT_NAME,
  quickTest,
  retagSuspects,
  showComparison,
  showConfusionMatrix,
  showPerformance,
  showSuspects,
  showThresholdChart,
  train,
  uploadTrainingImages,
} from './steps';

