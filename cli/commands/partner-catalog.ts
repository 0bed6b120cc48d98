import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CATALOG_DIR, partnerCatalogFiles, REGENERATE_CATALOG } from '#shared/report/partner-catalog.js';
import { parseOptions } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';

const HELP = `Usage: minimis partner-catalog [--out <dir>] [--check]

Writes the partner event catalog: every outbound webhook and inbound event type with its JSON
Schema (generated from the zod schemas), an example, the headers, the retry schedule, what each
answer does, and verification examples in TypeScript and Python. Deterministic, so the copy in
${CATALOG_DIR}/ is committed; \`${REGENERATE_CATALOG}\` regenerates it.

Options:
  --out <dir>        output directory (default: ${CATALOG_DIR}); files there that the catalog no longer has are removed
  --check            write nothing; exit 1 if the files in --out differ from a fresh catalog
  -h, --help         show this help
`;

export const partnerCatalogCommand: Command = {
  name: 'partner-catalog',
  summary: 'write the partner event catalog (JSON Schemas, examples, verification) from the code',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, { out: { type: 'string' }, check: { type: 'boolean' } });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const outDir = resolve(io.cwd, (values.out as string | undefined) ?? CATALOG_DIR);
    const files = partnerCatalogFiles();
    const present = existsSync(outDir) ? readdirSync(outDir) : [];
    if (values.check) {
      const stale = [
        ...Object.entries(files)
          .filter(
            ([name, content]) =>
              !present.includes(name) || readFileSync(join(outDir, name), 'utf8') !== content,
          )
          .map(([name]) => name),
        ...present.filter((name) => !(name in files)),
      ];
      if (stale.length > 0) {
        for (const name of stale) io.err(`${join(outDir, name)} is stale`);
        throw new CliError(`the partner catalog is out of date — run \`${REGENERATE_CATALOG}\``);
      }
      io.err('the partner catalog is up to date');
      return 0;
    }
    try {
      mkdirSync(outDir, { recursive: true });
      for (const name of present) if (!(name in files)) rmSync(join(outDir, name));
      for (const [name, content] of Object.entries(files)) writeFileSync(join(outDir, name), content);
    } catch (cause) {
      throw new CliError(
        `cannot write the catalog to ${outDir} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          cause,
        },
      );
    }
    for (const name of Object.keys(files)) io.out(relative(io.cwd, join(outDir, name)) || name);
    return 0;
  },
};
