import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/openapi.js';
import { openApiDocument } from '#shared/http/openapi.js';
import { GENERATED_PATH, generatedText } from '#shared/http/openapi-generate.js';

describe('the generated OpenAPI document (shared/http/openapi.json)', () => {
  it('is what the zod schemas give today (else: npm run openapi:generate)', () => {
    // Prepare / Act
    const checkedIn = readFileSync(GENERATED_PATH, 'utf8');
    // Assess
    expect(checkedIn).toBe(generatedText());
  });

  it('is served with the deployment base URL, the same document openApiDocument builds', async () => {
    // Act
    const response = await handler({} as never);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(JSON.stringify(openApiDocument('http://localhost:3000')));
  });
});
