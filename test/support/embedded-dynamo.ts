/**
 * dynalite on a random loopback port and a DynamoDB client for it (dummy credentials): the
 * set-up of every integration suite that runs the AWS adapters against the embedded stand-in.
 * Each suite creates its own tables and stops both (`client.destroy()`, `dynamo.stop()`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EmbeddedDynamo, startDynalite } from '#shared/adapters/local/embedded-dynamodb.js';

export async function startTestDynamo(): Promise<{ dynamo: EmbeddedDynamo; client: DynamoDBClient }> {
  const dynamo = await startDynalite({ port: 0 });
  const client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return { dynamo, client };
}
