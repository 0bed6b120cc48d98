/**
 * The storage key: the customer-managed KMS key for encryption at rest of the table, the queues and
 * the alarm topic. It never wraps personal-data keys (that is the purpose key), so granting it to a
 * function grants no purpose.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface StorageKeyProps {
  /** Alias of the key, without the `alias/` prefix. */
  readonly aliasName: string;
  /**
   * Services (principal names such as `cloudwatch.amazonaws.com`) that publish to resources encrypted
   * with this key from this account: CloudWatch alarms to the alarm topic, EventBridge to dead-letter queues.
   * @default ['cloudwatch.amazonaws.com', 'events.amazonaws.com']
   */
  readonly publishingServices?: readonly string[];
  /**
   * Waiting period before a scheduled deletion takes effect.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

export class StorageKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: StorageKeyProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9/_-]{1,200}$/.test(props.aliasName) || props.aliasName.startsWith('aws/')) {
      throw new Error(`StorageKey: invalid aliasName "${props.aliasName}"`);
    }
    const services = props.publishingServices ?? ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];
    for (const service of services) {
      if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(service)) {
        throw new Error(`StorageKey: "${service}" is not a service principal`);
      }
    }
    this.key = new kms.Key(this, 'Key', {
      description: 'minimis: encryption at rest of the order table, queues and alarm topic',
      enableKeyRotation: true,
      alias: `alias/${props.aliasName}`,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (services.length > 0) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowServicesToPublishToEncryptedResources',
          principals: services.map((s) => new iam.ServicePrincipal(s)),
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
    }
  }
}
