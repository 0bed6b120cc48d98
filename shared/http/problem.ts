/**
 * RFC 9457 problem+json responses. Bodies name paths, never submitted values; 5xx say nothing
 * about internals.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldProblem } from '../domain/errors.js';
import {
  CardDataError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  OrderNotFoundError,
  TransitionError,
  ValidationError,
} from '../domain/errors.js';

export const PROBLEM_BASE = 'https://minimis.dev/problems';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
}

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function problem(
  status: number,
  slug: string,
  title: string,
  detail?: string,
  extra: { errors?: readonly FieldProblem[]; headers?: Record<string, string> } = {},
): HttpResult {
  const body: Problem = {
    type: `${PROBLEM_BASE}/${slug}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...extra.headers },
    body: JSON.stringify(body),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export const notFound = () => problem(404, 'not-found', 'Not found');
export const methodNotAllowed = (allow: string) =>
  problem(405, 'method-not-allowed', 'Method not allowed', undefined, { headers: { allow } });
export const internalError = () =>
  problem(500, 'internal', 'Internal error', 'The service failed; try again later');

/** Maps the typed domain errors to problems; anything else is a bare 500. */
export function problemFor(error: unknown): HttpResult {
  if (error instanceof ValidationError) {
    return problem(400, 'validation', 'Invalid order', error.message, { errors: error.problems });
  }
  if (error instanceof CardDataError) {
    return problem(
      400,
      'card-data',
      'Card data is not accepted',
      'Payment card numbers must never be sent to this API',
      {
        errors: [{ path: error.path, message: 'looks like a payment card number' }],
      },
    );
  }
  if (error instanceof IdempotencyInProgressError) {
    return problem(409, 'idempotency-in-progress', 'Request in progress', error.message, {
      headers: { 'retry-after': '1' },
    });
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return problem(422, 'idempotency-key-reused', 'Idempotency-Key reused', error.message);
  }
  if (error instanceof OrderNotFoundError)
    return problem(404, 'order-not-found', 'Order not found', error.message);
  if (error instanceof TransitionError)
    return problem(409, 'invalid-transition', 'Transition not allowed', error.message);
  return internalError();
}
