import { describe, expect, it } from 'vitest';
import { DependencyError, SealError } from '../../shared/domain/errors.js';
import { problemFor } from '../../shared/http/problem.js';

describe('problem responses', () => {
  it.each([
    [
      'a failing dependency',
      new DependencyError('DynamoDB put order', { cause: new Error('table arn:aws:secret-internals') }),
    ],
    ['a blob that does not open', new SealError('Sealed blob does not open for this record and purpose')],
    ['anything unexpected', new TypeError("Cannot read properties of undefined (reading 'internals')")],
  ])('%s is a 500 problem that says nothing about internals', (_what, error) => {
    // Act
    const response = problemFor(error);
    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
    });
    expect(JSON.parse(response.body)).toEqual({
      type: 'https://minimis.dev/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'The service failed; try again later',
    });
  });
});
