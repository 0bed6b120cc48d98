/**
 * The document client for the embedded DynamoDB (dynalite in this process's worker): requests are
 * not SigV4-signed, only given the Authorization shape dynalite checks for (it verifies no
 * signature), which saves the signing's HMACs on every request (~15 % of a request's client CPU
 * in local mode); parallel GetItems share a BatchGetItem (coalescing-gets.ts). Only for the
 * embedded endpoint: a real DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB) gets the signed client.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws/dynamo-client.js';
import { coalescingGets } from './coalescing-gets.js';

type AuthSchemes = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>;

const UNSIGNED =
  'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=none';

const unsigned: AuthSchemes = [
  {
    schemeId: 'aws.auth#sigv4',
    // No credentials are looked up either: the signer below uses none.
    identityProvider: () => async () => ({}),
    signer: {
      sign: async (request) => {
        request.headers['x-amz-date'] = '20260101T000000Z';
        request.headers.authorization = UNSIGNED;
        return request;
      },
    },
  },
];

export function embeddedDocumentClient(): DynamoDBDocumentClient {
  return coalescingGets(documentClient(new DynamoDBClient({ httpAuthSchemes: unsigned })));
}
