import type { ScenarioResult, SensitivityRow } from './scenarios.js';

/** This turn's budget (issue 10): the same figures as before crypto-shredding, tighter goals. */
export const GOALS = { cpuUs: 75, overheadBytes: 160, kmsPer1000: 5 } as const;

/** minimis before crypto-shredding (envelope v1, no key table): last turn's published figures. */
export const BEFORE_SHREDDING = { cpuUs: 74, overheadBytes: 128, kmsPer1000: 4.8 } as const;

export interface GoalCheck {
  readonly id: string;
  readonly cpu: boolean;
  readonly overhead: boolean;
  readonly kms: boolean;
}

export function checkGoals(r: ScenarioResult): GoalCheck {
  return {
    id: r.id,
    cpu: r.submitCpuUs <= GOALS.cpuUs,
    overhead: r.bytes.overhead <= GOALS.overheadBytes,
    kms: r.kms.steadyPer1000 <= GOALS.kmsPer1000,
  };
}

function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  rightAlignFrom = 1,
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c >= rightAlignFrom ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const mark = (ok: boolean) => (ok ? '✓' : '✗');

export function resultsTable(results: readonly ScenarioResult[]): string {
  return table(
    [
      'scenario',
      'CPU µs/order',
      'wall µs/order',
      'open CPU µs/order',
      'KMS/1000 first',
      'KMS/1000 steady',
      'stored B/order',
      'plaintext B/order',
      'overhead B/order',
    ],
    results.map((r) => [
      r.id,
      f0(r.submitCpuUs),
      f0(r.submitWallUs),
      f0(r.openCpuUs),
      f1(r.kms.first1000),
      f1(r.kms.steadyPer1000),
      f0(r.bytes.stored),
      f0(r.bytes.plaintext),
      f0(r.bytes.overhead),
    ]),
  );
}

export function goalsTable(results: readonly ScenarioResult[]): string {
  return table(
    [
      'scenario',
      `≤${GOALS.cpuUs} µs/order`,
      `≤${GOALS.overheadBytes} B overhead`,
      `≤${GOALS.kmsPer1000} KMS/1000`,
    ],
    results.map((r) => {
      const g = checkGoals(r);
      return [
        r.id,
        `${mark(g.cpu)} ${f0(r.submitCpuUs)}`,
        `${mark(g.overhead)} ${f0(r.bytes.overhead)}`,
        `${mark(g.kms)} ${f1(r.kms.steadyPer1000)}`,
      ];
    }),
  );
}

export function sensitivityTable(rows: readonly SensitivityRow[]): string {
  return table(
    ['orders/s', 'containers per function', 'orders counted', 'KMS/1000 steady'],
    rows.map((r) => [String(r.rate), String(r.containers), String(r.orders), f1(r.steadyPer1000)]),
    0,
  );
}

/** Submit-path CPU of repeated runs of one scenario (µs/order, each run's mean over its orders). */
export interface CpuRepeats {
  readonly runs: readonly number[];
  readonly min: number;
}

export function cpuRepeats(runs: readonly number[]): CpuRepeats {
  return { runs, min: Math.min(...runs) };
}

/**
 * One line for repeated minimis and plaintext runs, beside the single-run figures of the tables
 * (run 1, the figure the bench always printed): every run, the minima, and minimis − plaintext at
 * the minima (the crypto part, on a noisy machine the least disturbed estimate).
 */
export function repeatsLine(minimis: CpuRepeats, plaintext: CpuRepeats): string {
  const runs = (r: CpuRepeats) => r.runs.map(f0).join(' / ');
  return (
    `Submit-path CPU over ${minimis.runs.length} alternating runs (µs/order; the tables show run 1): ` +
    `minimis ${runs(minimis)} (min ${f0(minimis.min)}), plaintext ${runs(plaintext)} (min ${f0(plaintext.min)}); ` +
    `minimis − plaintext at the minima ${f0(minimis.min - plaintext.min)} µs.`
  );
}
