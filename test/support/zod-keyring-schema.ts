/**
 * The zod/mini keyring schema the functions used before the typed check (shared/domain/partner-keyring.ts
 * at 6b5f25a), kept as the oracle of test/unit/partner-keyring.test.ts.
 */
import * as z from 'zod/mini';
import '#shared/schema.js';

const secretValue = z
  .string()
  .check(z.regex(/^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/, 'must be a base64 signing secret'));

export const zodKeyringSchema = z.strictObject({
  secrets: z
    .array(
      z.strictObject({
        secret: secretValue,
        activatedAt: z.iso.datetime(),
        retireAt: z.optional(z.iso.datetime()),
      }),
    )
    .check(z.minLength(1)),
});
