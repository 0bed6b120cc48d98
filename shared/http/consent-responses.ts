/** Responses shared by the two consent-confirmation endpoints (like unsubscribe-responses.ts). */
import { invalidConsentLinkPage } from '../domain/email-templates.js';
import { type HttpResult, problem } from './problem.js';
import { prefersHtml } from './request.js';
import { PAGE_HEADERS } from './unsubscribe-responses.js';

export { PAGE_HEADERS };

/** A tampered, used or expired link: an HTML page for a person, a problem+json for everything else. */
export const invalidConsentToken = (accept?: string): HttpResult =>
  prefersHtml(accept)
    ? { statusCode: 400, headers: { ...PAGE_HEADERS }, body: invalidConsentLinkPage() }
    : problem(
        400,
        'consent-token',
        'Invalid confirmation link',
        'The confirmation token is malformed, not ours, expired or already used',
        {
          errors: [
            { path: 'token', message: 'must be an unused, unexpired token from our confirmation email' },
          ],
        },
      );
