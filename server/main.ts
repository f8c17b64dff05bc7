/** @module Command line of the local Custom Vision service: flags and environment, then serve until a signal. */
import { parseConfig, USAGE } from './config';
import { serveUntilSignal } from './serve';

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
  await serveUntilSignal(config);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
