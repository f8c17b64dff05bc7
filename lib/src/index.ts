/**
 * @module cvlab: what the lab's notebooks need besides the Custom Vision SDK itself, imported as
 * `import * as cvlab from 'cvlab'`. `connect()` returns the lab's connection (`Lab`: the
 * configuration and the official clients), which every helper that talks to the service takes
 * first; the others show results. The same for Azure and the local service: the configuration decides.
 */
// The connection and the dataset.
export { connect, type Lab, type Ref } from './clients';
export { type LabConfig } from './config';
export { TAGS, testImages, trainingImages, type LabTag } from './dataset';
export { ensureTrainedProject, PROJECT_NAME } from './projects';
// Bringing a project from one endpoint to another (Azure to local, local to Azure, local to local).
export { copyProject, type CopyOptions, type CopyProgress, type CopySummary } from './copy-project';
// Waiting for the service.
export { firstIteration, latestIteration, trainAndWait, type TrainOptions, type TrainProgress } from './training';
export { exportAndWait, type ExportOptions, type ExportProgress } from './export';
export { type WaitOptions } from './waiting';
// Showing results.
export { batchProgress } from './upload';
export { showTable } from './display';
export { showComparison, showConfusionMatrix, showPerformance, showThresholdChart, type IterationResults, type ThresholdPoint } from './evaluation';
export { showSuspects, showTestResults, type TestResult } from './grid';
// The prediction endpoint and exports, outside the SDK.
export { curlCommand, predictionUrl } from './prediction';
export { describeContents, dockerCommands, downloadExport, readContract, runExportedModel, unzip, type ModelContract, type UnzippedFile } from './export';
