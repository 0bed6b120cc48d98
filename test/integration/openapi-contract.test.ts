/**
 * The published contract says what the API enforces. Bodies are generated FROM THE SERVED
 * DOCUMENT (GET /openapi.json of a running local app), never from the zod schemas, by an
 * independent JSON-Schema-to-fast-check converter (test/support/json-schema-arbitrary.ts):
 * every body the document calls valid must be accepted (202), and every body that breaks exactly
 * one documented constraint must be refused with a 400 naming that path.
 *
 * Card numbers: the card-data rule (Luhn over digit runs, any script) is not expressible in JSON
 * Schema, so the document states it in prose. The generator avoids it instead of guessing: a
 * generated string may hold at most 12 decimal digits after NFKC folding, and a card number needs
 * 13. Any `/card-data` answer to a generated body is therefore a failure, not an excuse.
 *
 * The 32 KiB body limit is likewise prose; generated arrays are capped at 4 items so that valid
 * bodies stay well below it, and a refused body over the limit must be a 413.
 *
 * ajv (draft 2020-12) cross-checks the generator itself: valid bodies validate against the served
 * schema, mutated ones do not — so a bug in the generator cannot make this test pass vacuously.
 */
import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody } from '../support/canaries.js';
import { type JsonSchema, mutations, validValue } from '../support/json-schema-arbitrary.js';
import { startTestApp, type TestApp } from '../support/local-app.js';

const MAX_BODY_BYTES = 32 * 1024;
const SEED = Number(process.env.FC_SEED ?? 20261201);

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Doc = Record<string, any>;

let app: TestApp;
let doc: Doc;
let orderSchema: JsonSchema;

const resolve = (ref: string): JsonSchema => {
  const match = /^#\/components\/schemas\/([A-Za-z]+)$/.exec(ref);
  const found = match?.[1] ? doc.components.schemas[match[1]] : undefined;
  if (!found) throw new Error(`unresolvable $ref ${ref}`);
  return found as JsonSchema;
};
/** At most 12 decimal digits in any script, after NFKC: no card number can hide in it. */
const cardFree = (s: string) => (s.normalize('NFKC').match(/\p{Nd}/gu) ?? []).length < 13;
const options = { resolve, acceptString: cardFree, maxArrayItems: 4 };

async function submit(body: unknown): Promise<{ status: number; problem?: Doc; bytes: number }> {
  const text = JSON.stringify(body);
  const key = randomUUID();
  let response: Response;
  try {
    response = await app.post('/orders', text, { 'idempotency-key': key });
  } catch {
    // A pooled keep-alive socket the server closed meanwhile (slow generation on a loaded
    // machine): retry once with the same Idempotency-Key, which the API promises is safe.
    response = await app.post('/orders', text, { 'idempotency-key': key });
  }
  const type = response.headers.get('content-type') ?? '';
  const payload = (await response.json()) as Doc;
  return {
    status: response.status,
    bytes: Buffer.byteLength(text),
    ...(type.startsWith('application/problem+json') ? { problem: payload } : {}),
  };
}

function ajvFor(schema: JsonSchema) {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addFormat('email', true); // an annotation in 2020-12; the document's `pattern` is the rule
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));
  return ajv.compile(rewritten);
}

beforeAll(async () => {
  app = await startTestApp();
  doc = (await (await app.get('/openapi.json')).json()) as Doc;
  const body = doc.paths['/orders'].post.requestBody.content['application/json'].schema;
  orderSchema = body as JsonSchema;
});
afterAll(async () => {
  await app.stop();
});

describe('the served OpenAPI document', () => {
  it('is a structurally valid OpenAPI 3.1 document', async () => {
    // Act
    const result = await new Validator().validate(doc as never);
    // Assess
    expect(result).toEqual({ valid: true });
    expect(doc.openapi).toBe('3.1.0');
  });

  it('publishes every rule: patterns, parameter shapes, webhook security and one-click body', () => {
    // Prepare
    const order = resolve('#/components/schemas/OrderRequest') as Doc;
    const partnerEvents = doc.paths['/partners/{partnerId}/events'].post;
    const unsubscribe = doc.paths['/unsubscribe'];
    const oneClick = unsubscribe.post.requestBody.content;
    // Assess: free text has the control-character/blank rule as a pattern, lengths in code points
    const pattern = new RegExp(order.properties.customer.properties.givenName.pattern);
    expect(pattern.test('Ada')).toBe(true);
    expect(pattern.test('A\u0000da')).toBe(false);
    expect(pattern.test(' \u00a0 ')).toBe(false);
    expect(pattern.test('Ada\ud83d')).toBe(false);
    expect(pattern.test('Ada 😀')).toBe(true);
    expect(order.properties.customer.properties.givenName).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(order.description).toContain('/card-data');
    // the path, query and header parameters
    expect(doc.paths['/orders/{orderId}'].get.parameters[0].schema.pattern).toBe(
      '^ord_[0-9A-HJKMNP-TV-Z]{26}$',
    );
    expect(unsubscribe.get.parameters[0]).toMatchObject({
      name: 'token',
      in: 'query',
      required: true,
      schema: { pattern: '^[A-Za-z0-9_-]{67}$' },
    });
    expect(partnerEvents.security).toEqual([{ webhookId: [], webhookTimestamp: [], webhookSignature: [] }]);
    expect(Object.values(doc.components.securitySchemes).map((s) => (s as Doc).name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(
      partnerEvents.parameters.filter((p: Doc) => p.in === 'header').map((p: Doc) => [p.name, p.required]),
    ).toEqual([
      ['webhook-id', true],
      ['webhook-timestamp', true],
      ['webhook-signature', true],
    ]);
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
      expect(oneClick[type].schema.required).toEqual(['List-Unsubscribe']);
      expect(new RegExp(oneClick[type].schema.properties['List-Unsubscribe'].pattern).test('One-Click')).toBe(
        true,
      );
    }
  });

  it('documents the content of every response, HTML and problem+json for the unsubscribe pages', () => {
    // Prepare
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Doc)) {
      for (const [method, operation] of Object.entries(item as Doc)) {
        for (const [status, response] of Object.entries((operation as Doc).responses as Doc)) {
          if (!(response as Doc).content) missing.push(`${method} ${path} ${status}`);
        }
      }
    }
    const page = doc.paths['/unsubscribe'];
    // Assess
    expect(missing).toEqual([]);
    expect(Object.keys(page.get.responses['400'].content)).toEqual(['application/problem+json', 'text/html']);
    expect(Object.keys(page.post.responses['400'].content)).toEqual([
      'application/problem+json',
      'text/html',
    ]);
    expect(Object.keys(page.post.responses['200'].content)).toEqual(['application/json', 'text/html']);
    expect(Object.keys(doc.paths['/partners/{partnerId}/events'].post.responses)).toEqual([
      '202',
      '400',
      '401',
      '404',
      '409',
      '413',
      '415',
      '500',
    ]);
    expect(doc.components.responses.MethodNotAllowed.headers.Allow.required).toBe(true);
    expect(doc.paths['/health'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Health',
    });
  });
});

/** The documented operation for a concrete path, matching `{param}` segments. */
function operationFor(method: string, path: string): Doc | undefined {
  for (const [template, item] of Object.entries(doc.paths as Doc)) {
    const re = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
    if (re.test(path)) return (item as Doc)[method.toLowerCase()];
  }
  return undefined;
}

describe('what the API answers is what the document says', () => {
  const c = canaries('oas00001');
  const form = 'application/x-www-form-urlencoded';
  const html = { accept: 'text/html' };
  const cases: Array<[string, string, Record<string, string>, string | undefined]> = [
    [
      'POST',
      '/orders',
      { 'content-type': 'application/json', 'idempotency-key': 'oas-1' },
      JSON.stringify(orderBody(c)),
    ],
    ['POST', '/orders', { 'content-type': 'application/json', 'idempotency-key': 'oas-2' }, '{"customer":'],
    ['POST', '/orders', { 'content-type': 'text/plain', 'idempotency-key': 'oas-3' }, '{}'],
    [
      'POST',
      '/orders',
      { 'content-type': 'application/json', 'idempotency-key': 'oas-4' },
      `"${'x'.repeat(MAX_BODY_BYTES)}"`,
    ],
    ['GET', '/orders/ord_00000000000000000000000000', {}, undefined],
    ['GET', '/unsubscribe?token=not-a-token', html, undefined],
    ['GET', '/unsubscribe?token=not-a-token', {}, undefined],
    [
      'POST',
      '/unsubscribe?token=not-a-token',
      { 'content-type': form, ...html },
      'List-Unsubscribe=One-Click',
    ],
    ['POST', '/unsubscribe?token=not-a-token', { 'content-type': form }, 'List-Unsubscribe=One-Click'],
    ['POST', '/unsubscribe?token=not-a-token', { 'content-type': 'text/plain' }, 'x'],
    ['POST', '/partners/carrier/events', { 'content-type': 'application/json' }, '{}'],
    ['POST', '/partners/nobody/events', { 'content-type': 'application/json' }, '{}'],
    ['GET', '/consent/confirm?token=not-a-token', html, undefined],
    ['POST', '/consent/confirm?token=not-a-token', { 'content-type': form }, ''],
    ['GET', '/health', {}, undefined],
    ['GET', '/openapi.json', {}, undefined],
  ];

  it.each(cases)(
    '%s %s answers a documented status, content type and body shape',
    async (method, path, headers, body) => {
      // Act
      const response = await fetch(`${app.apiUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      const text = await response.text();
      // Assess
      const documented = operationFor(method, path.split('?')[0] ?? path)?.responses?.[
        String(response.status)
      ];
      expect(documented, `${response.status} is documented`).toBeDefined();
      expect(Object.keys(documented.content)).toContain(type);
      if (type.endsWith('json')) {
        const schema = documented.content[type].schema as JsonSchema;
        const valid = ajvFor(schema);
        expect(valid(JSON.parse(text)), JSON.stringify(valid.errors)).toBe(true);
      }
    },
  );

  it('answers an unlisted method with the documented 405 (Allow header) and an unlisted path with 404', async () => {
    // Act
    const put = await fetch(`${app.apiUrl}/orders`, { method: 'PUT' });
    const missing = await fetch(`${app.apiUrl}/nowhere`);
    // Assess
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect(put.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('bodies generated from the served document', () => {
  it('accepts every body the document calls valid (202)', async () => {
    // Prepare
    const valid = ajvFor(orderSchema);
    const failures: string[] = [];
    // Act
    await fc.assert(
      fc.asyncProperty(validValue(orderSchema, options), async (body) => {
        expect(valid(body), JSON.stringify(valid.errors)).toBe(true);
        const answer = await submit(body);
        expect(answer.bytes).toBeLessThan(MAX_BODY_BYTES);
        if (answer.status !== 202) failures.push(`${answer.status} ${JSON.stringify(answer.problem)}`);
        expect(answer.status).toBe(202);
      }),
      { numRuns: 60, seed: SEED, endOnFailure: true },
    );
    // Assess
    expect(failures).toEqual([]);
  }, 240_000);

  it('refuses every body that breaks exactly one documented constraint (400 naming the path)', async () => {
    // Prepare
    const valid = ajvFor(orderSchema);
    const kinds = new Set<string>();
    // Act
    await fc.assert(
      fc.asyncProperty(mutations(orderSchema, options), async (mutation) => {
        expect(valid(mutation.body), `${mutation.kind} at ${mutation.path} is still valid`).toBe(false);
        const answer = await submit(mutation.body);
        kinds.add(mutation.kind);
        if (answer.bytes > MAX_BODY_BYTES) {
          expect(answer.status).toBe(413);
          return;
        }
        expect(answer.status).toBe(400);
        expect(answer.problem?.type).toBe('https://minimis.dev/problems/validation');
        expect(answer.problem?.errors.map((e: Doc) => e.path)).toContain(mutation.path);
      }),
      { numRuns: 120, seed: SEED, endOnFailure: true },
    );
    // Assess: every kind of mutation was tried
    expect([...kinds].sort()).toEqual([
      'additionalProperties',
      'enum',
      'maxItems',
      'maxLength',
      'maximum',
      'minItems',
      'minimum',
      'pattern',
      'required',
      'type',
    ]);
  }, 240_000);
});
