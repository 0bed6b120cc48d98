/** Responses shared by the two unsubscribe endpoints. */
import { invalidLinkPage } from '../domain/email-templates.js';
import { type HttpResult, problem } from './problem.js';
import { prefersHtml } from './request.js';

/** Headers of the unsubscribe pages: never cached, never framed, no referrer (the URL holds the token). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-robots-tag': 'noindex',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** A bad token: an HTML page for a person in a browser, a problem+json for everything else. */
export const invalidToken = (accept?: string): HttpResult =>
  prefersHtml(accept)
    ? { statusCode: 400, headers: { ...PAGE_HEADERS }, body: invalidLinkPage() }
    : invalidTokenProblem();

const invalidTokenProblem = () =>
  problem(
    400,
    'unsubscribe-token',
    'Invalid unsubscribe link',
    'The unsubscribe token is malformed or not ours',
    {
      errors: [{ path: 'token', message: 'must be an unsubscribe token from one of our emails' }],
    },
  );
