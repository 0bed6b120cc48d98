/**
 * Starts the whole local pipeline in-process on random loopback ports with a temporary data
 * directory, for integration tests; `stop()` tears everything down and removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalApp, type StartOptions, startLocal } from '../../local/app.js';

export interface TestApp extends LocalApp {
  readonly dataDir: string;
  readonly errors: unknown[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string): Promise<Response>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: Omit<StartOptions, 'env'> = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minimis-test-'));
  const errors: unknown[] = [];
  const app = await startLocal({
    timers: false,
    onError: (error) => errors.push(error),
    ...options,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      MINIMIS_DATA_DIR: dataDir,
      ...env,
    },
  });
  return {
    ...app,
    dataDir,
    errors,
    // An order's fan-out runs after its 202 (as the stream does): the tests find its messages queued.
    post: async (path, body, headers = {}) => {
      const response = await fetch(`${app.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      await app.fanOutsSettled();
      return response;
    },
    get: (path) => fetch(`${app.apiUrl}${path}`),
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
