/** Embedded SES v2 emulator (placeholder until the email issue lands). */
export interface EmbeddedSes {
  readonly url: string;
  readonly viewerUrl: string;
  stop(): Promise<void>;
}

export async function startSesEmulator(port: number): Promise<EmbeddedSes> {
  return { url: `http://127.0.0.1:${port}`, viewerUrl: `http://127.0.0.1:${port}`, stop: async () => {} };
}
