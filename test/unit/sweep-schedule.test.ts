/**
 * Local mode's sweep schedule (local/timers.ts): the outbox and intake sweeps pause while the API
 * is idle, and never before a sweep that began a horizon after the last API request found
 * nothing to do.
 */
import { describe, expect, it } from 'vitest';
import { sweepSchedule } from '../../local/timers.js';

const HORIZON = 40_000;
const T0 = Date.UTC(2026, 11, 2, 9);

describe('local sweep schedule', () => {
  it('sweeps from the start until a sweep a horizon after the start succeeds, then pauses', () => {
    // Prepare
    const schedule = sweepSchedule({ horizonMs: HORIZON, startedAt: T0, lastActivityAt: () => -Infinity });
    // Act
    const atStart = schedule.due(T0);
    schedule.succeeded(T0 + 5_000); // covers up to T0 - 35 s: not the start
    const afterEarlySweep = schedule.due(T0 + 10_000);
    schedule.succeeded(T0 + HORIZON);
    const afterHorizonSweep = schedule.due(T0 + HORIZON + 5_000);
    // Assess
    expect([atStart, afterEarlySweep, afterHorizonSweep]).toEqual([true, true, false]);
  });

  it('an API request makes the sweeps due again, until one a horizon after it succeeds', () => {
    // Prepare
    let lastApi = T0 - 100_000;
    const schedule = sweepSchedule({
      horizonMs: HORIZON,
      startedAt: T0 - 200_000,
      lastActivityAt: () => lastApi,
    });
    schedule.succeeded(T0);
    const idle = schedule.due(T0 + 1);
    // Act
    lastApi = T0 + 2_000;
    const afterRequest = schedule.due(T0 + 5_000);
    schedule.succeeded(T0 + 30_000);
    const tooEarly = schedule.due(T0 + 35_000);
    schedule.succeeded(T0 + 2_000 + HORIZON);
    const covered = schedule.due(T0 + 50_000);
    // Assess
    expect([idle, afterRequest, tooEarly, covered]).toEqual([false, true, true, false]);
  });

  it('without an activity source, every tick is due (as the scheduled functions in AWS)', () => {
    // Prepare
    const schedule = sweepSchedule({
      horizonMs: HORIZON,
      startedAt: T0,
      lastActivityAt: () => Number.POSITIVE_INFINITY,
    });
    // Act
    schedule.succeeded(T0 + 10 * HORIZON);
    // Assess
    expect(schedule.due(T0 + 10 * HORIZON + 1)).toBe(true);
  });
});
