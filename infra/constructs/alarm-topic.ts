/** The SNS topic every minimis alarm notifies: encrypted, TLS-only. Subscribe operators to it. */
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Customer-managed key; its policy must let cloudwatch.amazonaws.com use it (see StorageKey). */
  readonly encryptionKey: kms.IKey;
  /** @default - generated */
  readonly topicName?: string;
}

export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (!props.encryptionKey) throw new Error('AlarmTopic: encryptionKey is required');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'minimis alarms',
      topicName: props.topicName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
  }
}
