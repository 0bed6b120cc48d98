/**
 * Start-up failures name the service that failed: DynamoDB that does not answer, a port the SES
 * emulator or the API cannot bind. (The key service's case is in local-mode.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError, startLocal } from '../../local/app.js';

let dataDir: string;
let occupied: Server;
let busyPort = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'minimis-startup-'));
  occupied = createServer();
  await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
  busyPort = (occupied.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => occupied.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

async function startupError(env: Record<string, string>): Promise<StartupError> {
  const error = await startLocal({
    timers: false,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      MINIMIS_DATA_DIR: dataDir,
      AWS_MAX_ATTEMPTS: '1',
      ...env,
    },
  }).then(
    async (app) => {
      await app.stop();
      throw new Error('started');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupError);
  return error as StartupError;
}

describe('local mode start-up errors', () => {
  it('a DynamoDB endpoint that does not answer is reported as DynamoDB, not as the key service', async () => {
    // Act
    const error = await startupError({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' });
    // Assess
    expect(error.service).toBe('DynamoDB');
    expect(error.message).toBe(
      'DynamoDB at http://127.0.0.1:9 could not describe table minimis (ECONNREFUSED)',
    );
  });

  it('an SES port in use is reported as the SES emulator', async () => {
    // Act
    const error = await startupError({ SES_PORT: String(busyPort) });
    // Assess
    expect(error.service).toBe('SES emulator');
    expect(error.message).toBe(`the SES emulator cannot listen on port ${busyPort}: set SES_PORT`);
  });

  it('an API port in use is reported as the HTTP port', async () => {
    // Act
    const error = await startupError({ PORT: String(busyPort) });
    // Assess
    expect(error.service).toBe('HTTP port');
    expect(error.message).toBe(`the API cannot listen on HTTP port ${busyPort} (EADDRINUSE): set PORT`);
  });

  it('an embedded DynamoDB port in use is reported as DynamoDB', async () => {
    // Act
    const error = await startupError({ DYNAMODB_PORT: String(busyPort) });
    // Assess
    expect(error.service).toBe('DynamoDB');
    expect(error.message).toBe(
      `the embedded DynamoDB cannot listen on port ${busyPort} (EADDRINUSE): set DYNAMODB_PORT`,
    );
  });
});
