import type { PartnerClient, PartnerResponse } from '../../ports.js';

/** POSTs a webhook with a hard timeout; the response body is drained and ignored. */
export class FetchPartnerClient implements PartnerClient {
  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<PartnerResponse> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'minimis-webhooks/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status };
  }
}
