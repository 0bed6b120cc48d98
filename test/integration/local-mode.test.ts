import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { KmsKeyService } from '../../shared/adapters/aws/kms-key-service.js';
import { startDynalite } from '../../shared/adapters/local/embedded-dynamodb.js';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { loadConfig } from '../../shared/config.js';
import { wire } from '../../shared/wiring.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp } from '../support/local-app.js';

function runStart(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('local mode', () => {
  it('invalid configuration stops start-up with one clear line naming the variable', async () => {
    // Act
    const result = await runStart({ PORT: 'not-a-port' });
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: PORT must be a port number (0–65535)',
    ]);
  });

  it('serves /health and the printed URLs, key material under the data dir with mode 0600, the tables directory 0700', async () => {
    // Prepare
    const app = await startTestApp();
    try {
      // Act
      const health = await app.get('/health');
      // Assess
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(statSync(join(app.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(app.dataDir, 'partner-keys', 'warehouse.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(app.dataDir, 'partner-keys', 'carrier.json')).mode & 0o777).toBe(0o600);
      // The tables' directory too: owner only (sealed data and keyed hashes).
      expect(statSync(join(app.dataDir, 'dynamodb')).mode & 0o777).toBe(0o700);
    } finally {
      await app.stop();
    }
  });

  it('an unreachable key service stops start-up with one line, before /health could say ready', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'minimis-kms-down-'));
    // Act
    const result = await runStart({
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      MINIMIS_DATA_DIR: dataDir,
      KMS_KEY_ID: 'alias/minimis',
      AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Cannot start: the key service does not answer: check KMS_KEY_ID, AWS_ENDPOINT_URL_KMS and credentials, or unset KMS_KEY_ID for the local key provider',
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('AWS_ENDPOINT_URL_DYNAMODB replaces the embedded store; tables are created there', async () => {
    // Prepare
    const external = await startDynalite({ port: 0 });
    const app = await startTestApp({ AWS_ENDPOINT_URL_DYNAMODB: external.url });
    try {
      // Act
      const response = await app.post('/orders', orderBody(canaries()), { 'idempotency-key': 'ext-1' });
      const tables = await new DynamoDBClient({ endpoint: external.url }).send(new ListTablesCommand({}));
      // Assess
      expect(response.status).toBe(202);
      expect(app.dynamoUrl).toBe(external.url);
      expect(tables.TableNames).toEqual(['minimis', 'minimis-keys', 'minimis-local-queue']);
    } finally {
      await app.stop();
      await external.stop();
    }
  });

  it('KMS_KEY_ID switches the key service from the local provider to KMS', () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'minimis-kms-'));
    try {
      // Act
      const local = wire(loadConfig({ MINIMIS_MODE: 'local', MINIMIS_DATA_DIR: dataDir }));
      const kms = wire(
        loadConfig({ MINIMIS_MODE: 'local', MINIMIS_DATA_DIR: dataDir, KMS_KEY_ID: 'alias/minimis' }),
      );
      // Assess
      expect(local.keyService).toBeInstanceOf(LocalKeyService);
      expect(kms.keyService).toBeInstanceOf(KmsKeyService);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
