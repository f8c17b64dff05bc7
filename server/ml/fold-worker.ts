/** @module Worker thread entry: fits cross-validation folds it is sent, so the training worker can fit others meanwhile. */
import { fitFold } from './crossval';
import type { FoldRequest } from './fold-runner';
import { serveRequests } from './workers';

serveRequests((request: FoldRequest) => request.folds.map((fold) => fitFold(request.samples, request.labels, request.options, fold)));
