/** Entry point of the ops CLI: `npx minimis …` (bin/minimis.js) or `npm run minimis -- …`. */
import { processIo } from './io.js';
import { runCli } from './run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const code = await runCli(process.argv.slice(2), processIo());
// Exit once stdout has been flushed (a large export piped elsewhere must arrive whole), without
// waiting for idle keep-alive sockets of the AWS clients.
process.stdout.write('', () => process.exit(code));
