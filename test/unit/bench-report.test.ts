import { describe, expect, it } from 'vitest';
import { cpuRepeats, repeatsLine } from '../../bench/report.js';

describe('bench: repeated submit-path CPU runs', () => {
  it('prints every run, the minima and the difference at the minima', () => {
    // Prepare
    const minimis = cpuRepeats([92.4, 81.6, 99]);
    const plaintext = cpuRepeats([60.2, 66, 58.9]);
    // Act
    const line = repeatsLine(minimis, plaintext);
    // Assess
    expect(minimis.min).toBe(81.6);
    expect(line).toBe(
      'Submit-path CPU over 3 alternating runs (µs/order; the tables show run 1): ' +
        'minimis 92 / 82 / 99 (min 82), plaintext 60 / 66 / 59 (min 59); minimis − plaintext at the minima 23 µs.',
    );
  });
});
