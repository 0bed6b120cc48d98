/**
 * A tiny document model with two renderers, so the Markdown and the HTML report say exactly the
 * same thing. Inline text may contain `code` spans (backticks); everything else is escaped.
 */
export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'note'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly head: readonly string[];
      readonly rows: ReadonlyArray<readonly string[]>;
    }
  | { readonly kind: 'figure'; readonly file: string; readonly alt: string; readonly svg: string };

/** Splits inline text into plain and code segments (odd indexes are code). */
function segments(text: string): string[] {
  return text.split('`');
}

const MD_SPECIAL = /[\\*_<>[\]|]/g;

function mdInline(text: string): string {
  return segments(text)
    .map((part, i) =>
      i % 2 === 1 ? `\`${part.replace(/\|/g, '\\|')}\`` : part.replace(MD_SPECIAL, (c) => `\\${c}`),
    )
    .join('');
}

/** Display width in a monospace editor: code points (the report uses no wide characters). */
const width = (text: string) => [...text].length;

export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${mdInline(block.text)}`);
        break;
      case 'paragraph':
        out.push(mdInline(block.text));
        break;
      case 'note':
        out.push(`> ${mdInline(block.text)}`);
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${mdInline(item)}`).join('\n'));
        break;
      case 'table': {
        // Columns padded to equal width, as Markdown formatters (Biome) lay tables out.
        const cells = [block.head, ...block.rows].map((row) => row.map(mdInline));
        const widths = block.head.map((_, i) => Math.max(3, ...cells.map((row) => width(row[i] ?? ''))));
        const line = (row: readonly string[]) =>
          `| ${widths.map((w, i) => `${row[i] ?? ''}${' '.repeat(w - width(row[i] ?? ''))}`).join(' | ')} |`;
        const [head = [], ...rows] = cells;
        out.push([line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
        break;
      }
      case 'figure':
        out.push(`![${mdInline(block.alt)}](${block.file})`);
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function htmlInline(text: string): string {
  return segments(text)
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e; --line: #d1d9e0; --head: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --head: #151b23; } }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 76rem; padding: 1.5rem; }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--head); }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--head); padding: .1rem .3rem; border-radius: 4px; }
blockquote { margin: 1rem 0; padding: .2rem 1rem; border-left: 4px solid var(--line); color: var(--muted); }
figure { margin: 1rem 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
`.trim();

export function renderHtml(blocks: readonly Block[], title: string): string {
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        body.push(`<h${block.level}>${htmlInline(block.text)}</h${block.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${htmlInline(block.text)}</p>`);
        break;
      case 'note':
        body.push(`<blockquote><p>${htmlInline(block.text)}</p></blockquote>`);
        break;
      case 'list':
        body.push(`<ul>\n${block.items.map((item) => `<li>${htmlInline(item)}</li>`).join('\n')}\n</ul>`);
        break;
      case 'table': {
        const head = `<tr>${block.head.map((h) => `<th scope="col">${htmlInline(h)}</th>`).join('')}</tr>`;
        const rows = block.rows.map(
          (cells) => `<tr>${cells.map((c) => `<td>${htmlInline(c)}</td>`).join('')}</tr>`,
        );
        body.push(`<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`);
        break;
      }
      case 'figure':
        body.push(
          `<figure>\n${block.svg.trim()}\n<figcaption>${htmlInline(block.alt)}</figcaption>\n</figure>`,
        );
        break;
    }
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
