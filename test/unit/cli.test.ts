/**
 * The ops CLI's contract without a running pipeline: help for every command, exit codes (0 ok,
 * 1 failure, 2 bad usage), one-line errors that never echo a typed value, the privacy report
 * command, and `bin/minimis.js` itself.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { COMMANDS, runCli, USAGE } from '../../cli/run.js';
import { generatePrivacyReport } from '../../shared/report/privacy-report.js';
import { settingsFromCdkJson } from '../../shared/report/settings.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMAIL = 'ada.lovelace@example.com';

function io(
  options: { env?: Record<string, string>; interactive?: boolean; answer?: string; stdin?: string } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const value: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: options.env ?? {},
    cwd: ROOT,
    interactive: options.interactive ?? false,
    prompt: async (question) => {
      prompts.push(question);
      return options.answer ?? '';
    },
    readStdin: async () => options.stdin ?? '',
  };
  return { io: value, out, err, prompts };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'minimis-cli-unit-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('minimis help', () => {
  it('--help, -h and help print the usage on stdout', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      // Prepare
      const run = io();
      // Act
      const code = await runCli(args, run.io);
      // Assess
      expect(code).toBe(0);
      expect(run.out).toEqual([USAGE]);
      expect(run.err).toEqual([]);
    }
  });

  it('lists every command with its summary', () => {
    // Assess
    expect(COMMANDS.map((c) => c.name)).toEqual([
      'export',
      'erase',
      'privacy-report',
      'redrive',
      'purge',
      'replay',
      'partner',
      'partner-catalog',
    ]);
    for (const command of COMMANDS)
      expect(USAGE).toContain(`  ${command.name.padEnd(16)}${command.summary}\n`);
  });

  for (const name of [
    'export',
    'erase',
    'privacy-report',
    'redrive',
    'purge',
    'replay',
    'partner',
    'partner-catalog',
  ]) {
    it(`${name} --help and help ${name} print that command's usage`, async () => {
      // Prepare
      const viaFlag = io();
      const viaHelp = io();
      const command = COMMANDS.find((c) => c.name === name);
      // Act
      const flagCode = await runCli([name, '--help'], viaFlag.io);
      const helpCode = await runCli(['help', name], viaHelp.io);
      // Assess
      expect(flagCode).toBe(0);
      expect(helpCode).toBe(0);
      expect(viaFlag.out).toEqual([command?.help]);
      expect(viaHelp.out).toEqual([command?.help]);
      expect(command?.help.startsWith(`Usage: minimis ${name}`)).toBe(true);
    });
  }
});

describe('bad usage exits 2 with one line on stderr', () => {
  const cases: Array<[string, string[], string]> = [
    ['no command', [], USAGE],
    [
      'an unknown command',
      ['frobnicate'],
      'minimis: unknown command frobnicate\nRun `minimis --help` for the list of commands.',
    ],
    [
      'an unknown command that looks like an address',
      [EMAIL],
      'minimis: unknown command\nRun `minimis --help` for the list of commands.',
    ],
    [
      'an unknown option before the command',
      ['--verbose'],
      'minimis: unknown option --verbose\nRun `minimis --help` for the list of commands.',
    ],
    [
      'an unknown option',
      ['purge', '--force'],
      'minimis purge: unknown option --force\nRun `minimis purge --help` for usage.',
    ],
    [
      'a misspelt option',
      ['export', '--emial', EMAIL],
      'minimis export: unknown option --emial\nRun `minimis export --help` for usage.',
    ],
    [
      'a missing --email',
      ['export'],
      'minimis export: --email <address> is required\nRun `minimis export --help` for usage.',
    ],
    [
      'a missing --email (erase)',
      ['erase', '--yes'],
      'minimis erase: --email <address> is required\nRun `minimis erase --help` for usage.',
    ],
    [
      '--email without a value',
      ['export', '--email'],
      'minimis export: option --email needs a value\nRun `minimis export --help` for usage.',
    ],
    [
      'an invalid --email',
      ['export', '--email', 'ada.lovelace'],
      'minimis export: --email must be an email address\nRun `minimis export --help` for usage.',
    ],
    [
      'an address as a positional argument',
      ['export', EMAIL],
      'minimis export: unexpected argument: options take the form --name value\nRun `minimis export --help` for usage.',
    ],
    [
      'a value for a flag',
      ['purge', '--aws=yes'],
      'minimis purge: option --aws takes no value\nRun `minimis purge --help` for usage.',
    ],
    [
      'erase without --yes, not at a terminal',
      ['erase', '--email', EMAIL],
      'minimis erase: erasure cannot be undone: add --yes to confirm\nRun `minimis erase --help` for usage.',
    ],
    [
      'an invalid partner id',
      ['redrive', '--partner', 'Not A Partner'],
      'minimis redrive: --partner must be a partner id\nRun `minimis redrive --help` for usage.',
    ],
  ];
  it('--email - with nothing usable on stdin is bad usage, without echoing it', async () => {
    // Prepare
    const empty = io({ stdin: '' });
    const wrong = io({ stdin: 'not-an-address\n' });
    // Act
    const emptyCode = await runCli(['export', '--email', '-'], empty.io);
    const wrongCode = await runCli(['erase', '--email', '-', '--yes'], wrong.io);
    // Assess
    expect([emptyCode, wrongCode]).toEqual([2, 2]);
    expect(empty.err).toEqual([
      'minimis export: --email <address> is required\nRun `minimis export --help` for usage.',
    ]);
    expect(wrong.err).toEqual([
      'minimis erase: --email must be an email address\nRun `minimis erase --help` for usage.',
    ]);
  });

  for (const [what, args, message] of cases) {
    it(what, async () => {
      // Prepare
      const run = io();
      // Act
      const code = await runCli(args, run.io);
      // Assess
      expect(code).toBe(2);
      expect(run.err).toEqual([message]);
      expect(run.out).toEqual([]);
    });
  }
});

describe('failures exit 1 with one line on stderr', () => {
  it('erase asks at a terminal and erases nothing unless confirmed', async () => {
    // Prepare
    const run = io({ interactive: true, answer: 'no' });
    // Act
    const code = await runCli(['erase', '--email', EMAIL], run.io);
    // Assess
    expect(code).toBe(1);
    expect(run.prompts).toEqual([
      'This permanently erases the personal data held for this address. Type "erase" to continue: ',
    ]);
    expect(run.err).toEqual(['minimis erase: not confirmed; nothing was erased']);
  });

  it('says local mode is not running when DynamoDB refuses the connection', async () => {
    // Prepare
    const port = await closedPort();
    const run = io({ env: { DYNAMODB_PORT: String(port), MINIMIS_DATA_DIR: tempDir() } });
    // Act
    const code = await runCli(['export', '--email', EMAIL], run.io);
    // Assess
    expect(code).toBe(1);
    expect(run.err).toEqual([
      `minimis export: cannot reach DynamoDB at http://127.0.0.1:${port} — is \`npm start\` running?`,
    ]);
    expect(run.out).toEqual([]);
  });

  it('names the missing variable when working against AWS', async () => {
    // Prepare
    const noTable = io({ env: { KMS_KEY_ID: 'alias/minimis' } });
    const noKey = io({ env: { MINIMIS_MODE: 'aws', TABLE_NAME: 'minimis-prod' } });
    // Act
    const noTableCode = await runCli(['purge', '--aws'], noTable.io);
    const noKeyCode = await runCli(['export', '--email', EMAIL], noKey.io);
    // Assess
    expect(noTableCode).toBe(1);
    expect(noTable.err).toEqual([
      'purging expired personal data…',
      'minimis purge: Invalid configuration: TABLE_NAME is required against AWS (the deployed table name)',
    ]);
    expect(noKeyCode).toBe(1);
    expect(noKey.err).toEqual(['minimis export: Invalid configuration: KMS_KEY_ID is required in aws mode']);
  });
});

describe('minimis privacy-report', () => {
  const fresh = generatePrivacyReport(
    settingsFromCdkJson(readFileSync(join(ROOT, 'cdk.json'), 'utf8')),
  ).files;

  it('writes the Markdown, HTML and SVG report generated from cdk.json', async () => {
    // Prepare
    const out = tempDir();
    const run = io();
    // Act
    const code = await runCli(['privacy-report', '--out', out], run.io);
    // Assess
    expect(code).toBe(0);
    expect(run.out).toEqual(
      ['privacy-report.md', 'privacy-report.html', 'data-flow.svg'].map((name) => join(out, name)),
    );
    for (const [name, content] of Object.entries(fresh))
      expect(readFileSync(join(out, name), 'utf8')).toBe(content);
  });

  it('an --out it cannot write to fails at once with exit 1 and one line', async () => {
    // Prepare
    const run = io();
    // Act
    const code = await runCli(['privacy-report', '--out', '/proc/minimis-report'], run.io);
    // Assess
    expect(code).toBe(1);
    expect(run.err).toEqual([
      'minimis privacy-report: cannot write the report to /proc/minimis-report (ENOENT)',
    ]);
    expect(run.out).toEqual([]);
  });

  it('--check passes on a fresh copy and fails on a stale one, naming the file', async () => {
    // Prepare
    const out = tempDir();
    await runCli(['privacy-report', '--out', out], io().io);
    const fine = io();
    const stale = io();
    // Act
    const fineCode = await runCli(['privacy-report', '--out', out, '--check'], fine.io);
    writeFileSync(join(out, 'privacy-report.md'), '# edited by hand\n');
    const staleCode = await runCli(['privacy-report', '--out', out, '--check'], stale.io);
    // Assess
    expect(fineCode).toBe(0);
    expect(fine.err).toEqual(['the privacy report is up to date']);
    expect(staleCode).toBe(1);
    expect(stale.err).toEqual([
      `${join(out, 'privacy-report.md')} is stale`,
      'minimis privacy-report: the privacy report is out of date — run `npm run privacy-report`',
    ]);
  });

  it('fails clearly without a cdk.json', async () => {
    // Prepare
    const missing = join(tempDir(), 'cdk.json');
    const run = io();
    // Act
    const code = await runCli(['privacy-report', '--cdk-json', missing], run.io);
    // Assess
    expect(code).toBe(1);
    expect(run.err).toEqual([
      `minimis privacy-report: no configuration at ${missing} — run from the repository root or pass --cdk-json <file>`,
    ]);
  });
});

describe('bin/minimis.js', () => {
  it('runs the TypeScript CLI through tsx: --help exits 0 with the usage', async () => {
    // Act
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/minimis.js'), '--help'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH },
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
    // Assess
    expect(result).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  }, 30_000);
});
