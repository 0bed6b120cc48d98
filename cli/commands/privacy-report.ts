import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { generatePrivacyReport, REGENERATE_COMMAND } from '#shared/report/privacy-report.js';
import { settingsFromCdkJson } from '#shared/report/settings.js';
import { parseOptions } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';

export const DEFAULT_OUT = 'docs';

const HELP = `Usage: minimis privacy-report [--out <dir>] [--cdk-json <file>] [--check]

Writes the privacy report — every field, its purposes, how it is stored, who receives it, how long
it is kept, who may decrypt what, and a data-flow picture — generated from shared/inventory.ts and
the deployment configuration (the "minimis" context of cdk.json: partners, retention). Files:
privacy-report.md, privacy-report.html (self-contained) and data-flow.svg. Output is deterministic,
so the copy in docs/ is committed; \`${REGENERATE_COMMAND}\` regenerates it.

Options:
  --out <dir>        output directory (default: ${DEFAULT_OUT})
  --cdk-json <file>  configuration to describe (default: cdk.json in the current directory)
  --check            write nothing; exit 1 if the files in --out differ from a fresh report
  -h, --help         show this help
`;

export const privacyReportCommand: Command = {
  name: 'privacy-report',
  summary: 'write the data inventory as Markdown and HTML with a data-flow picture, from the code',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, {
      out: { type: 'string' },
      'cdk-json': { type: 'string' },
      check: { type: 'boolean' },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const cdkJson = resolve(io.cwd, (values['cdk-json'] as string | undefined) ?? 'cdk.json');
    if (!existsSync(cdkJson)) {
      throw new CliError(
        `no configuration at ${cdkJson} — run from the repository root or pass --cdk-json <file>`,
      );
    }
    const report = generatePrivacyReport(settingsFromCdkJson(readFileSync(cdkJson, 'utf8')));
    const outDir = resolve(io.cwd, (values.out as string | undefined) ?? DEFAULT_OUT);
    // Paths under the working directory are shown relative to it, others in full.
    const shown = (file: string) => {
      const rel = relative(io.cwd, file);
      return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
    };

    if (values.check) {
      const stale = Object.entries(report.files)
        .filter(([name, content]) => {
          const file = join(outDir, name);
          return !existsSync(file) || readFileSync(file, 'utf8') !== content;
        })
        .map(([name]) => join(outDir, name));
      if (stale.length > 0) {
        for (const file of stale) io.err(`${shown(file)} is stale`);
        throw new CliError(`the privacy report is out of date — run \`${REGENERATE_COMMAND}\``);
      }
      io.err('the privacy report is up to date');
      return 0;
    }

    // Node's recursive mkdir spins forever under pseudo-filesystems such as /proc: create only
    // the last level when its parent exists, so a bad --out fails at once.
    const written: string[] = [];
    try {
      if (!existsSync(outDir)) mkdirSync(outDir, { recursive: !existsSync(dirname(outDir)) });
      for (const [name, content] of Object.entries(report.files)) {
        const file = join(outDir, name);
        writeFileSync(file, content);
        written.push(file);
      }
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      throw new CliError(`cannot write the report to ${shown(outDir)} (${code})`, { cause });
    }
    for (const file of written) io.out(shown(file));
    return 0;
  },
};
