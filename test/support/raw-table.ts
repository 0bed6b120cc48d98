/** Reads every item of a table as raw DynamoDB JSON text, for canary scans. */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

export async function rawTableText(endpoint: string, tableName: string): Promise<string> {
  const client = new DynamoDBClient({ endpoint });
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start as never }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  // Binary attributes become base64 in this text, and raw bytes are also searched as latin1.
  return JSON.stringify(items, (_k, v) =>
    v instanceof Uint8Array ? `${Buffer.from(v).toString('base64')}|${Buffer.from(v).toString('latin1')}` : v,
  );
}
