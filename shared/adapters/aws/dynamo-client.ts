import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../../domain/errors.js';

/** Document client; the endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_DYNAMODB). */
export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** One DynamoDB call; a failure becomes a DependencyError naming what was attempted (cause kept). */
export async function call<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (cause) {
    throw new DependencyError(`DynamoDB ${what}`, { cause });
  }
}

/** One conditional write: true if it happened, false if its condition did not hold. */
export async function conditional(what: string, op: () => Promise<unknown>): Promise<boolean> {
  try {
    await op();
    return true;
  } catch (cause) {
    if (isConditionFailure(cause)) return false;
    throw new DependencyError(`DynamoDB ${what}`, { cause });
  }
}

/**
 * One table through one document client: what every store function takes first. The stores are
 * functions over it (a bundle keeps only the ones its use case calls; a class's methods cannot be
 * tree-shaken); the classes beside them bind all of a store's functions for the all-in-one wiring.
 */
export interface DynamoTable {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
}
