/**
 * Review s6 (commit 9a9d124): inputs where our logger differs from the Powertools logger it claims
 * to match line for line, or breaks its own promise (a log call never turns a handled failure into
 * a crash). Its case of an Error with `toJSON` lives in logger.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '#shared/observability/logger.js';
import { captured, isolateLoggerTests } from '../support/captured-output.js';

isolateLoggerTests();

const BASE = '"timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0';

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
