/** @module Command line of the local Custom Vision service: flags and environment, then serve until a signal. */
import { parseConfig, USAGE } from './config';
import { startService } from './service';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config === 'help') {
    console.log(USAGE);
    return;
  }
  const service = await startService(config);
  console.log(`Local Custom Vision service listening on ${service.url} (data in ${config.dataDir})`);
  console.log(`  Training API:   ${service.url}/customvision/v3.4-preview/training (also v3.3)`);
  console.log(`  Prediction API: ${service.url}/customvision/v3.1/prediction (also v3.0)`);
  console.log(`  Web portal:     ${service.url}/`);

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
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
