// The gateway as `chatbot-gateway --port 0 --data-dir <dir>` starts it, but with `seq` counted
// in memory and no frame log (`unsequenced`, a benchmark-only option): the baseline of the
// sequencing + frame-log overhead rows in bench/run.ts. Prints the same ready line as the CLI.
import { startLocalGateway } from '../dist/transports/local/start-local-gateway.js';

const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1];
const gateway = await startLocalGateway({ port: '0', dataDir, unsequenced: true });
process.stdout.write(
  `chatbot-gateway (unsequenced): open ${gateway.url}/ in a browser (WebSocket ${gateway.wsUrl})\n`,
);
await new Promise((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await gateway.close();
process.exit(0);
