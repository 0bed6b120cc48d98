/**
 * Built-in sample partners for local mode (placeholder until the fulfilment issue lands):
 * they accept every webhook.
 */
import type { PartnerConfig } from '#shared/config.js';
import type { LocalRoute } from './http-server.js';

export interface SamplePartners {
  readonly route: LocalRoute;
  stop(): Promise<void>;
}

export function samplePartners(_options: {
  apiUrl: string;
  partners: readonly PartnerConfig[];
  timers: boolean;
  onError: (error: unknown) => void;
}): SamplePartners {
  return {
    route: async (req, _body, res) => {
      if (!req.url?.startsWith('/_sample/')) return false;
      res.writeHead(204).end();
      return true;
    },
    stop: async () => {},
  };
}
