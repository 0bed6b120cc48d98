/** The partner event catalog under docs/partners/ is generated, complete and up to date. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES } from '../../shared/domain/message-catalog.js';
import { partnerEventSchema } from '../../shared/domain/partner-event-schema.js';
import { PAYLOAD_TYPES } from '../../shared/domain/projections.js';
import { CATALOG_DIR, partnerCatalogFiles, REGENERATE_CATALOG } from '../../shared/report/partner-catalog.js';

const DIR = fileURLToPath(new URL(`../../${CATALOG_DIR}/`, import.meta.url));

describe('partner event catalog', () => {
  it(`the committed ${CATALOG_DIR}/ is exactly what the generator writes (run \`${REGENERATE_CATALOG}\` if not)`, () => {
    // Act
    const files = partnerCatalogFiles();
    // Assess
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(files).sort());
    for (const [name, content] of Object.entries(files)) {
      expect(readFileSync(join(DIR, name), 'utf8'), `${CATALOG_DIR}/${name} is stale`).toBe(content);
    }
  });

  it('lists every outbound and inbound type of the code, each with a page and a JSON Schema', () => {
    // Act
    const files = partnerCatalogFiles();
    const types = MESSAGE_TYPES.map((m) => `${m.direction}:${m.type}`);
    // Assess
    expect(types).toEqual([
      'outbound:pick.requested',
      'outbound:shipment.requested',
      'outbound:order.redacted',
      'inbound:shipment.dispatched',
      'inbound:shipment.delivered',
    ]);
    for (const type of [
      ...Object.values(PAYLOAD_TYPES),
      ...partnerEventSchema.def.options.map((o) => o.shape.type.def.values[0]),
    ]) {
      expect(files[`${type}.md`]).toContain(`# \`${type}\``);
      expect(JSON.parse(files[`${type}.schema.json`] ?? '{}').title).toBe(type);
    }
  });

  it('every example satisfies the schema it documents, and the JSON Schema forbids unknown keys', () => {
    for (const message of MESSAGE_TYPES) {
      // Act
      const parsed = message.schema.safeParse(message.example);
      const extra = message.schema.safeParse({ ...message.example, email: 'someone@example.com' });
      const schema = JSON.parse(partnerCatalogFiles()[`${message.type}.schema.json`] ?? '{}');
      // Assess
      expect(parsed.success, message.type).toBe(true);
      expect(extra.success, message.type).toBe(false);
      expect(schema.additionalProperties, message.type).toBe(false);
    }
  });

  it('documents the retry schedule from the delivery defaults and what 2xx, 410 and other answers do', () => {
    // Act
    const readme = partnerCatalogFiles()['README.md'] ?? '';
    // Assess
    expect(readme).toContain(
      'With the AWS defaults (16 attempts, base 30 s) the schedule spans 32.5 h to 65.1 h',
    );
    expect(readme).toContain('| `2xx` within 15 s |');
    expect(readme).toContain('| `410 Gone` | you are **disabled at once**');
    expect(readme).toContain('| anything else, a timeout or a network error | retried');
    for (const status of ['202', '401', '404', '409']) expect(readme).toContain(`| \`${status}\` |`);
  });
});
