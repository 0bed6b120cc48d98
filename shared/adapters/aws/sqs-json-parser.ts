/**
 * The batch processor's parser integration for SQS records whose body is JSON: what
 * `@aws-lambda-powertools/batch/parser` does for `EventType.SQS` with an `innerSchema` and the
 * `json` transformer (the record with its body replaced by the parsed message; a body that is not
 * JSON or not the schema fails that record alone with a ParsingError), without its bundle cost.
 *
 * Why not that module (measured, `npm run bench -- bundles`): it dynamically imports the Powertools
 * parser's SQS, Kinesis and DynamoDB schemas and helpers, which import `{ z }` from zod; esbuild
 * cannot tree-shake that binding, so every locale and the JSON-schema code came along: notify-customer
 * and deliver-to-partner carried 447 KB of zod against 95 KB in the other functions.
 *
 * It checks the body only (the record's other fields are Lambda's, not the sender's), through the
 * schema's Standard Schema interface (no zod import here), and its error names the issue paths and
 * messages of the schema, never the body (JSON.parse messages quote the input).
 */
import { ParsingError } from '@aws-lambda-powertools/batch';
import type { parser as powertoolsParser } from '@aws-lambda-powertools/batch/parser';
import type { SQSRecord } from 'aws-lambda';

export const sqsJsonParser: typeof powertoolsParser = async (record, eventType, logger, config) => {
  const schema = 'innerSchema' in config ? config.innerSchema : undefined;
  if (eventType !== 'SQS' || schema === undefined || config.transformer !== 'json') {
    logger.error('sqsJsonParser parses SQS records with an innerSchema and the json transformer only');
    throw new ParsingError('Unsupported parser configuration');
  }
  const sqsRecord = record as SQSRecord;
  let body: unknown;
  try {
    body = JSON.parse(sqsRecord.body);
  } catch {
    logger.debug('Failed to parse record: body: Invalid JSON');
    throw new ParsingError('body: Invalid JSON');
  }
  const result = await schema['~standard'].validate(body);
  if (result.issues) {
    const message = result.issues
      .map((issue) => {
        const path = (issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p));
        return `${['body', ...path].join('.')}: ${issue.message}`;
      })
      .join('; ');
    logger.debug(`Failed to parse record: ${message}`);
    throw new ParsingError(message);
  }
  return { ...sqsRecord, body: result.value } as unknown as SQSRecord;
};
