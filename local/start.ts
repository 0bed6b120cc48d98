/** `npm start`: the whole pipeline on this machine with embedded stand-ins. */
import { ConfigError } from '#shared/config.js';
import { StartupError, startLocal } from './app.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const app = await startLocal();
  const lines = [
    'minimis is running (local mode)',
    `  API            ${app.apiUrl}`,
    `  OpenAPI        ${app.apiUrl}/openapi.json`,
    `  Health         ${app.apiUrl}/health`,
    `  Order console  ${app.consoleUrl}  (recent orders; per order: status and who saw what, live)`,
    `  Email viewer   ${app.emailViewerUrl ?? `(external SES at ${app.sesUrl})`}`,
    `  DynamoDB       ${app.dynamoUrl}`,
    `  Partners       ${app.config.partners.map((p) => `${p.id} → ${p.url}`).join(', ')}`,
    `  Data dir       ${app.config.dataDir}`,
    '',
    'Try:',
    `  curl -i -X POST ${app.apiUrl}/orders -H 'content-type: application/json' -H 'idempotency-key: demo-1' --data @examples/order.json`,
  ];
  console.log(lines.join('\n'));
  const shutdown = () => {
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  // Every step of start-up names its service (DynamoDB, SES emulator, key provider, HTTP port).
  if (error instanceof StartupError) {
    console.error(`Cannot start: ${error.message}`);
    process.exit(1);
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    console.error(
      `Cannot start: a port is already in use (${(error as Error).message.split(' ').pop()}); set PORT / DYNAMODB_PORT / SES_PORT`,
    );
    process.exit(1);
  }
  console.error('Cannot start:', (error as Error)?.message ?? error);
  process.exit(1);
}
