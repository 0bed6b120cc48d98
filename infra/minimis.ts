/**
 * Builds the minimis CDK app: validates the `minimis` context, creates the stateful and stateless
 * stacks and registers the cdk-nag packs (AwsSolutions, Serverless) as synth-time validations.
 * Used by infra/app.ts and by the infra tests.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CONTEXT_KEY, type MinimisContext, parseMinimisContext } from './context.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

const CROSS_STACK_REFERENCES = '@aws-cdk/core:defaultCrossStackReferences';

export interface BuildOptions {
  /**
   * Register the cdk-nag packs so that any unacknowledged finding fails synthesis.
   * @default true
   */
  readonly nag?: boolean;
}

export interface MinimisApp {
  readonly config: MinimisContext;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function buildMinimis(app: App, options: BuildOptions = {}): MinimisApp {
  const config = parseMinimisContext(app.node.tryGetContext(CONTEXT_KEY));
  // Strong cross-stack references: the stateful stack's exports cannot be removed while in use.
  if (app.node.tryGetContext(CROSS_STACK_REFERENCES) === undefined)
    app.node.setContext(CROSS_STACK_REFERENCES, 'strong');
  const base = `Minimis-${config.stage}`;
  const stateful = new StatefulStack(app, `${base}-Stateful`, {
    stage: config.stage,
    shredBackupDays: config.shredBackupDays,
    description: 'minimis: keys, order table and key table (retained on deletion)',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `${base}-Stateless`, {
    config,
    table: stateful.table,
    keyTable: stateful.keyTable,
    purposeKey: stateful.purposeKey,
    storageKey: stateful.storageKey,
    description: 'minimis: functions, queues, HTTP API, email, schedules',
  });
  stateless.addStackDependency(stateful);
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  return { config, stateful, stateless };
}
