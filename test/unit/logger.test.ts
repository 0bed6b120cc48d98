/**
 * Our logger writes what the Powertools logger writes for the same calls (fields, order, streams,
 * levels, the trace id, empty values dropped), so log queries written for Powertools keep working;
 * and it is stricter about errors: an Error among the fields leaves its class name only.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, logThreshold } from '#shared/observability/logger.js';
import { captured, isolateLoggerTests, type LOGGER_ENV_KEYS } from '../support/captured-output.js';

const environment = isolateLoggerTests();

/** The same calls made on a logger. */
function calls(log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>): void {
  log.debug('debug entry', { orderId: 'ord_1' });
  log.info('order accepted', { orderId: 'ord_1', count: 3, nested: { a: 1, b: [1, 2] } });
  log.info('two field objects', { partnerId: 'carrier' }, { attempt: 2 });
  log.info('empty values dropped', { gone: undefined, blank: '', nothing: null, zero: 0, no: false });
  log.info('a later field object wins', { a: 1 }, { a: 2 });
  log.warn('client error', { statusCode: 400, reason: 'validation' });
  log.error('delivery failed', { errorName: 'DependencyError', causeName: 'TimeoutError' });
  const cycle: Record<string, unknown> = { attempt: 2, list: [1, { deep: true }] };
  cycle.self = cycle;
  log.warn('a cycle is dropped', { orderId: 'ord_1', cycle });
  log.info('base keys stay', { level: 'DEBUG', message: 'all good', service: 'other', orderId: 'ord_2' });
  log.info('a big count', { bytes: 12n });
}

/** Powertools' warning when its level is below Lambda's (ours applies the stricter one silently). */
const ALC_WARNING = 'does not match AWS Lambda Advanced Logging Controls';

function both(env: Partial<Record<(typeof LOGGER_ENV_KEYS)[number], string>>): {
  ours: string[];
  powertools: string[];
} {
  environment.clear();
  Object.assign(process.env, env);
  const powertools = captured(() => {
    const logger = new PowertoolsLogger({ serviceName: 'minimis-test' });
    calls({
      debug: (m, ...f) => logger.debug(m, ...f),
      info: (m, ...f) => logger.info(m, ...f),
      warn: (m, ...f) => logger.warn(m, ...f),
      error: (m, ...f) => logger.error(m, ...f),
    });
  }).filter((line) => !line.includes(ALC_WARNING));
  const ours = captured(() => calls(createLogger('minimis-test')));
  return { ours, powertools };
}

describe('logger: the Powertools format', () => {
  it('writes the lines Powertools writes at the default level (INFO)', () => {
    // Act
    const { ours, powertools } = both({});
    // Assess
    expect(ours).toEqual(powertools);
    expect(ours).toHaveLength(12);
    expect(ours[0]).toBe(
      'stdout {"level":"INFO","message":"order accepted","timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0,"orderId":"ord_1","count":3,"nested":{"a":1,"b":[1,2]}}',
    );
    expect(ours[5]).toBe(
      'stderr {"level":"ERROR","message":"delivery failed","timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0,"errorName":"DependencyError","causeName":"TimeoutError"}',
    );
  });

  it.each([
    ['POWERTOOLS_LOG_LEVEL=DEBUG', { POWERTOOLS_LOG_LEVEL: 'DEBUG' }, 13],
    ['POWERTOOLS_LOG_LEVEL=WARN', { POWERTOOLS_LOG_LEVEL: 'WARN' }, 3],
    ['lower case is no level (INFO)', { POWERTOOLS_LOG_LEVEL: 'warn' }, 12],
    ['an unknown level hides LOG_LEVEL', { POWERTOOLS_LOG_LEVEL: 'LOUD', LOG_LEVEL: 'ERROR' }, 12],
    ['POWERTOOLS_LOG_LEVEL=SILENT', { POWERTOOLS_LOG_LEVEL: 'SILENT' }, 0],
    ['LOG_LEVEL=ERROR', { LOG_LEVEL: 'ERROR' }, 1],
    ['POWERTOOLS_LOG_LEVEL over LOG_LEVEL', { POWERTOOLS_LOG_LEVEL: 'DEBUG', LOG_LEVEL: 'ERROR' }, 13],
    ["Lambda's level wins when stricter", { POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'WARN' }, 3],
    ['and when looser', { POWERTOOLS_LOG_LEVEL: 'WARN', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' }, 13],
    ['levels trimmed, as Powertools reads them', { POWERTOOLS_LOG_LEVEL: ' WARN ' }, 3],
    ["Lambda's FATAL is CRITICAL", { AWS_LAMBDA_LOG_LEVEL: 'FATAL' }, 0],
    ['an empty POWERTOOLS_LOG_LEVEL falls to LOG_LEVEL', { POWERTOOLS_LOG_LEVEL: '', LOG_LEVEL: 'ERROR' }, 1],
  ] as const)('filters as Powertools does: %s', (_name, env, lines) => {
    // Act
    const { ours, powertools } = both(env);
    // Assess
    expect(ours).toEqual(powertools);
    expect(ours).toHaveLength(lines);
  });

  it('reads the trace id from a header whose Root is not first', () => {
    // Act
    const { ours, powertools } = both({
      _X_AMZN_TRACE_ID: 'Parent=53995c3f42cd8ad8;Root=1-abc-def;Sampled=1',
    });
    // Assess
    expect(ours).toEqual(powertools);
    expect(JSON.parse(ours[0]?.slice('stdout '.length) ?? '{}').xray_trace_id).toBe('1-abc-def');
  });

  it('adds the X-Ray trace id of the invocation', () => {
    // Act
    const { ours, powertools } = both({
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    // Assess
    expect(ours).toEqual(powertools);
    expect(JSON.parse(ours[0]?.slice('stdout '.length) ?? '{}').xray_trace_id).toBe(
      '1-5759e988-bd862e3fe1be46a994272793',
    );
  });

  it('logs as the function Lambda names (POWERTOOLS_SERVICE_NAME), else as it is told', () => {
    // Prepare
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env.POWERTOOLS_SERVICE_NAME = 'minimis-deliver-carrier';
    // Act
    const named = captured(() => createLogger('minimis-deliver-to-partner').info('x'));
    delete process.env.POWERTOOLS_SERVICE_NAME;
    const told = captured(() => createLogger('minimis-deliver-to-partner').info('x'));
    // Assess
    expect(JSON.parse(named[0]?.slice('stdout '.length) ?? '{}').service).toBe('minimis-deliver-carrier');
    expect(JSON.parse(told[0]?.slice('stdout '.length) ?? '{}').service).toBe('minimis-deliver-to-partner');
  });

  it('an unknown level name counts as unset, as in Powertools', () => {
    expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'LOUD' })).toBe(12);
    expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'LOUD', LOG_LEVEL: 'ERROR' })).toBe(12);
    expect(logThreshold({ AWS_LAMBDA_LOG_LEVEL: 'LOUD', LOG_LEVEL: 'DEBUG' })).toBe(8);
    expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'toString' })).toBe(12);
  });
});

describe('logger: a log call never throws', () => {
  it('writes the entry without its fields when they cannot be written', () => {
    // Prepare
    const fields = {
      orderId: 'ord_1',
      get broken(): string {
        throw new Error('canary-getter');
      },
    };
    const cycleInList: Record<string, unknown> = { attempt: 1 };
    cycleInList.list = [cycleInList];
    // Act
    const lines = captured(() => {
      const log = createLogger('minimis-test');
      log.error('failed', fields);
      log.error('failed', { cycleInList });
    });
    // Assess
    expect(lines).toEqual([
      'stderr {"level":"ERROR","message":"failed","timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0,"logFieldsDropped":true}',
      'stderr {"level":"ERROR","message":"failed","timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0,"cycleInList":{"attempt":1,"list":[null]}}',
    ]);
  });

  it('ignores a failed write (a closed pipe), as the Powertools Console does', () => {
    // Prepare
    const write = process.stderr.write;
    process.stderr.write = (() => {
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    }) as typeof process.stderr.write;
    // Act
    let threw: unknown;
    try {
      createLogger('minimis-test').error('failed', { orderId: 'ord_1' });
    } catch (error) {
      threw = error;
    } finally {
      process.stderr.write = write;
    }
    // Assess
    expect(threw).toBeUndefined();
  });
});

describe('logger: stricter than Powertools about errors', () => {
  it('writes an Error among the fields as its class name, never its message, stack or cause', () => {
    // Prepare
    const canary = 'canary-ada-lovelace@example.com';
    const error = new TypeError(`bad value ${canary}`, { cause: new Error(canary) });
    // Act
    const lines = captured(() => createLogger('minimis-test').error('failed', { error, detail: { error } }));
    // Assess
    expect(lines).toEqual([
      'stderr {"level":"ERROR","message":"failed","timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0,"error":{"name":"TypeError"},"detail":{"error":{"name":"TypeError"}}}',
    ]);
    expect(lines.join('\n')).not.toContain('canary');
  });

  it('where Powertools would have written the message (why ours)', () => {
    // Prepare
    const canary = 'canary-ada-lovelace@example.com';
    // Act
    const lines = captured(() =>
      new PowertoolsLogger({ serviceName: 'minimis-test' }).error('failed', { error: new Error(canary) }),
    );
    // Assess
    expect(lines.join('\n')).toContain(canary);
  });

  it('an Error with toJSON (as HTTP client errors have) is still its class name only', () => {
    // Prepare
    const canary = 'canary-ada-lovelace@example.com';
    class HttpClientError extends Error {
      override readonly name = 'HttpClientError';
      toJSON() {
        return { name: this.name, message: this.message, stack: this.stack };
      }
    }
    // Act
    const lines = captured(() =>
      createLogger('minimis-test').error('failed', {
        error: new HttpClientError(canary),
        list: [new HttpClientError(canary)],
      }),
    );
    // Assess
    expect(lines).toEqual([
      'stderr {"level":"ERROR","message":"failed","timestamp":"2026-12-02T10:00:00.123Z","service":"minimis-test","sampling_rate":0,"error":{"name":"HttpClientError"},"list":[{"name":"HttpClientError"}]}',
    ]);
  });
});
