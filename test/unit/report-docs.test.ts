/**
 * The committed privacy report (docs/) must be what the code generates today: change the inventory
 * or the `minimis` context of cdk.json, and this fails until the report is regenerated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  generatePrivacyReport,
  REGENERATE_COMMAND,
  REPORT_FILES,
} from '../../shared/report/privacy-report.js';
import { settingsFromCdkJson } from '../../shared/report/settings.js';

const root = new URL('../../', import.meta.url);

describe('committed privacy report', () => {
  // Prepare
  const fresh = generatePrivacyReport(settingsFromCdkJson(readFileSync(new URL('cdk.json', root), 'utf8')));

  for (const name of Object.values(REPORT_FILES)) {
    it(`docs/${name} matches the generated report`, () => {
      // Act
      const file = new URL(`docs/${name}`, root);
      const committed = existsSync(file) ? readFileSync(file, 'utf8') : '(missing)';
      // Assess
      expect(
        committed === fresh.files[name],
        `docs/${name} is stale: regenerate it with \`${REGENERATE_COMMAND}\` and commit the result`,
      ).toBe(true);
    });
  }
});
