/** @module Serving from a command line: starts the service, says where it listens, and stops it cleanly on Ctrl-C or SIGTERM. */
import type { ServiceConfig } from './config';
import { startService, type RunningService } from './service';

/** Resolves once the service listens; a signal later closes it and exits the process with 0. */
export async function serveUntilSignal(config: ServiceConfig): Promise<RunningService> {
  const service = await startService(config);
  console.log(`Local Custom Vision service listening on ${service.url} (data in ${config.dataDir})`);
  console.log(`  Training API:   ${service.url}/customvision/v3.4-preview/training (also v3.3)`);
  console.log(`  Prediction API: ${service.url}/customvision/v3.1/prediction (also v3.0)`);
  console.log(`  Web portal:     ${service.url}/`);
  if (config.resources) console.log(`  Resources: ${config.resources.map((r) => r.name).join(', ')}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down (an iteration still training resumes at the next start).`);
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return service;
}
