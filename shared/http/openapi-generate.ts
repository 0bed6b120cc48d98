/**
 * `npm run openapi:generate`: writes shared/http/openapi.json, the document GET /openapi.json
 * serves, from the zod schemas (openapi.ts). Built ahead so the openapi function bundles a JSON
 * file, not zod and every schema (484 KB → a few KB); test/unit/openapi-document.test.ts fails
 * when the checked-in file is stale. `servers` holds SERVER_URL_PLACEHOLDER, filled at run time.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument, SERVER_URL_PLACEHOLDER } from './openapi.js';

export const GENERATED_PATH = fileURLToPath(new URL('./openapi.json', import.meta.url));

/** The document as the generator writes it (stable key order, two-space indent, final newline). */
export function generatedText(): string {
  return `${JSON.stringify(openApiDocument(SERVER_URL_PLACEHOLDER), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(GENERATED_PATH, generatedText());
  process.stdout.write(`wrote ${GENERATED_PATH}\n`);
}
