#!/usr/bin/env node
/**
 * The minimis CDK app (cdk.json: `npx tsx infra/app.ts`). Configuration is the `minimis` context;
 * an invalid value stops synthesis with one line naming the key.
 */
import { App } from 'aws-cdk-lib';
import { ContextError } from './context.js';
import { buildMinimis } from './minimis.js';

const app = new App();
try {
  buildMinimis(app);
} catch (error) {
  if (error instanceof ContextError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
