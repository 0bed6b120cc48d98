/** What a command may touch of the outside world, so tests can run the CLI in-process. */
import { createInterface } from 'node:readline/promises';

export interface CliIo {
  /** Writes to stdout (results: JSON, file names). */
  out(text: string): void;
  /** Writes to stderr (progress, errors). */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when a person is at a terminal (stdin and stderr are TTYs): prompts are allowed. */
  readonly interactive: boolean;
  /** Asks a question on stderr and reads one line from stdin. */
  prompt(question: string): Promise<string>;
  /** Reads all of stdin (for `--email -`, which keeps the address out of shell history and `ps`). */
  readStdin(): Promise<string>;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
