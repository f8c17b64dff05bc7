/** @module The prediction resource id the lab publishes to (lib/src/config.ts LOCAL_DEFAULTS); the local service accepts any. */
export const LAB_PREDICTION_RESOURCE_ID = '/subscriptions/local/resourceGroups/lab/providers/Microsoft.CognitiveServices/accounts/local-prediction';
