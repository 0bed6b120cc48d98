/**
 * Verifying a minimis webhook in TypeScript / Node.js with the `standardwebhooks` package
 * (npm install standardwebhooks). Pass the raw request body, exactly as received, and every
 * signing secret you currently accept (two while a rotation is in progress, if you like).
 */
import { Webhook } from 'standardwebhooks';

export function verifyMinimisWebhook(
  secrets: readonly string[],
  rawBody: string | Buffer,
  headers: Record<string, string>,
): Record<string, unknown> {
  let failure: unknown = new Error('no secret to verify with');
  for (const secret of secrets) {
    try {
      // Checks the signature (any of the space-separated ones) and that the timestamp is within 5 minutes.
      return new Webhook(secret).verify(rawBody, headers) as Record<string, unknown>;
    } catch (error) {
      failure = error;
    }
  }
  throw failure; // answer 401; minimis retries
}

// In your handler: deduplicate on headers['webhook-id'] (you may receive a message more than once),
// answer 2xx within 15 seconds, and do the work afterwards.
