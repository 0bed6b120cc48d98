/**
 * Review s6 (commit 9a9d124): inputs where our logger differs from the Powertools logger it claims
 * to match line for line, or breaks its own promise (an Error is written as `{name}` only, a log
 * call never turns a handled failure into a crash).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '#shared/observability/logger.js';
import { captured, loggerEnvironment } from '../support/captured-output.js';

const ENV_KEYS = [
  'POWERTOOLS_LOG_LEVEL',
  'LOG_LEVEL',
  'AWS_LAMBDA_LOG_LEVEL',
  '_X_AMZN_TRACE_ID',
  'POWERTOOLS_SERVICE_NAME',
];
const environment = loggerEnvironment(ENV_KEYS);

const BASE = '"timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0';

beforeEach(() => {
  environment.clear();
  vi.useFakeTimers({ now: new Date('2026-12-02T10:00:00.123Z'), toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  environment.restore();
});

describe('review s6: logger', () => {
  it('a field holding a circular reference does not make the log call throw (Powertools drops the cycle)', () => {
    // Prepare
    const logger = createLogger('minimis-test');
    const detail: Record<string, unknown> = { attempt: 2 };
    detail.self = detail;
    let lines: string[] = [];
    // Act
    const log = () => {
      lines = captured(() => logger.error('delivery failed', { orderId: 'ord_1', detail }));
    };
    // Assess
    expect(log).not.toThrow();
    expect(lines).toEqual([
      `stderr {"level":"ERROR","message":"delivery failed",${BASE},"orderId":"ord_1","detail":{"attempt":2}}`,
    ]);
  });

  it('an Error with a toJSON method is still written as its class name only (no message, no stack)', () => {
    // Prepare: as HTTP client errors do (e.g. AxiosError#toJSON returns message, stack, config).
    const canary = 'canary-ada-lovelace@example.com';
    class HttpClientError extends Error {
      override readonly name = 'HttpClientError';
      toJSON() {
        return { name: this.name, message: this.message, stack: this.stack };
      }
    }
    const error = new HttpClientError(`POST failed for ${canary}`);
    // Act
    const lines = captured(() => createLogger('minimis-test').error('failed', { error }));
    // Assess
    expect(lines.join('\n')).not.toContain(canary);
    expect(lines).toEqual([
      `stderr {"level":"ERROR","message":"failed",${BASE},"error":{"name":"HttpClientError"}}`,
    ]);
  });

  it('a field named like a base key (level, message, service, timestamp, sampling_rate) does not replace it', () => {
    // Prepare: Powertools drops these keys (ReservedKeys) and keeps the entry's own values.
    const logger = createLogger('minimis-test');
    // Act
    const lines = captured(() =>
      logger.info('partner disabled', {
        level: 'DEBUG',
        message: 'all good',
        service: 'someone-else',
        timestamp: '1970-01-01T00:00:00.000Z',
        sampling_rate: 1,
        orderId: 'ord_1',
      }),
    );
    // Assess
    expect(lines.filter((line) => line.startsWith('stdout'))).toEqual([
      `stdout {"level":"INFO","message":"partner disabled",${BASE},"orderId":"ord_1"}`,
    ]);
  });
});
