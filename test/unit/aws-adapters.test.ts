/** The SQS, SESv2 and Secrets Manager adapters, against aws-sdk-client-mock. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PartnerSecrets } from '../../shared/adapters/aws/secrets-manager-store.js';
import { SesMailer } from '../../shared/adapters/aws/ses-mailer.js';
import { SqsDeadLetterQueue } from '../../shared/adapters/aws/sqs-dead-letter-queue.js';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.js';
import { DependencyError } from '../../shared/domain/errors.js';

const sqs = mockClient(SQSClient);
const ses = mockClient(SESv2Client);
const secrets = mockClient(SecretsManagerClient);
afterEach(() => {
  sqs.reset();
  ses.reset();
  secrets.reset();
});

const URLS = {
  'partner-carrier': 'https://sqs.eu-west-1.amazonaws.com/1/partner-carrier',
  'partner-carrier-dlq': 'https://sqs.eu-west-1.amazonaws.com/1/partner-carrier-dlq',
};
const region = { region: 'eu-west-1' };

describe('SQS queue', () => {
  it('sends the message body as JSON to the named queue', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({});
    const queue = new SqsQueue(new SQSClient(region), URLS);
    // Act
    await queue.send('partner-carrier', { type: 'order.accepted', orderId: 'ord_1', partner: 'carrier' });
    // Assess
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: URLS['partner-carrier'],
      MessageBody: '{"type":"order.accepted","orderId":"ord_1","partner":"carrier"}',
    });
  });

  it('backs off by changing visibility, capped at the 12 hours SQS allows', async () => {
    // Prepare
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const queue = new SqsQueue(new SQSClient(region), URLS);
    // Act
    await queue.retryLater('partner-carrier', 'rh-1', 90_000);
    // Assess
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: URLS['partner-carrier'],
      ReceiptHandle: 'rh-1',
      VisibilityTimeout: 43_200,
    });
  });

  it('redrives a dead-letter queue into its source queue', async () => {
    // Prepare
    sqs
      .on(GetQueueAttributesCommand, {
        QueueUrl: URLS['partner-carrier-dlq'],
        AttributeNames: ['ApproximateNumberOfMessages'],
      })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3' } })
      .on(GetQueueAttributesCommand, { QueueUrl: URLS['partner-carrier-dlq'], AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:1:partner-carrier-dlq' } })
      .on(GetQueueAttributesCommand, { QueueUrl: URLS['partner-carrier'], AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:1:partner-carrier' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({});
    const queue = new SqsDeadLetterQueue(new SQSClient(region), URLS);
    // Act
    const moved = await queue.redrive('partner-carrier');
    // Assess
    expect(moved).toBe(3);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: 'arn:aws:sqs:eu-west-1:1:partner-carrier-dlq',
      DestinationArn: 'arn:aws:sqs:eu-west-1:1:partner-carrier',
    });
  });

  it('an unconfigured queue is a typed error, not a send to nowhere', async () => {
    // Act
    const error = await new SqsQueue(new SQSClient(region), URLS)
      .send('notify', { type: 'order.accepted', orderId: 'ord_1' })
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

describe('SES mailer', () => {
  it('sends Content.Simple with both parts, the headers and the configuration set, to one recipient', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = new SesMailer(new SESv2Client(region), 'orders@shop.example', 'minimis-prod');
    // Act
    const sent = await mailer.send({
      to: 'ada@example.com',
      subject: 'Your order',
      text: 'text part',
      html: '<p>html part</p>',
      headers: [{ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' }],
    });
    // Assess
    expect(sent).toEqual({ messageId: 'm-1' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'orders@shop.example',
      Destination: { ToAddresses: ['ada@example.com'] },
      ConfigurationSetName: 'minimis-prod',
      Content: {
        Simple: {
          Subject: { Data: 'Your order', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'text part', Charset: 'UTF-8' },
            Html: { Data: '<p>html part</p>', Charset: 'UTF-8' },
          },
          Headers: [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }],
        },
      },
    });
  });
});

describe('partner secrets', () => {
  it('reads a partner secret from Secrets Manager once and caches it for cacheSeconds', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0\n' });
    let now = new Date('2026-12-01T10:00:00Z');
    const clock = { now: () => now };
    const store = new PartnerSecrets(
      [
        {
          id: 'carrier',
          kind: 'carrier',
          url: 'https://c.example',
          secretRef: 'arn:secret:carrier',
          fields: [],
        },
      ],
      { client: new SecretsManagerClient(region), cacheSeconds: 60, clock },
    );
    // Act
    const first = await store.partnerSecrets('carrier');
    now = new Date(now.getTime() + 59_000);
    const second = await store.partnerSecrets('carrier');
    now = new Date(now.getTime() + 1_000);
    const third = await store.partnerSecrets('carrier');
    // Assess
    expect([first, second, third]).toEqual([
      ['whsec_c2VjcmV0c2VjcmV0c2VjcmV0'],
      ['whsec_c2VjcmV0c2VjcmV0c2VjcmV0'],
      ['whsec_c2VjcmV0c2VjcmV0c2VjcmV0'],
    ]);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: 'arn:secret:carrier' },
      { SecretId: 'arn:secret:carrier' },
    ]);
  });
});
