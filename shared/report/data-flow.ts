/**
 * The data-flow picture of the privacy report, drawn in code as a self-contained SVG from the
 * report model: one row per configured partner, edges coloured by whether they carry personal data.
 * Deterministic (integer coordinates, no timestamps), so the generated file can be committed.
 */

import { INDEX_CONTEXTS, LEDGER_CONTEXT } from '../inventory.js';
import { escapeHtml } from './document.js';
import type { PrivacyModel } from './model.js';

type Kind = 'actor' | 'function' | 'store' | 'external' | 'key';

interface Box {
  readonly col: number;
  readonly row: number;
  readonly rowSpan?: number;
  readonly title: string;
  readonly lines: readonly string[];
  readonly kind: Kind;
}

const COL_PITCH = 300;
const BOX_W = 210;
const ROW_PITCH = 96;
const BOX_H = 64;
const LEFT = 20;
const TOP = 84;
/** Characters per line inside a box at 11px. */
const WRAP = 34;

const STYLE: Readonly<Record<Kind, { fill: string; stroke: string }>> = {
  actor: { fill: '#eef2ff', stroke: '#4f46e5' },
  function: { fill: '#ecfdf5', stroke: '#047857' },
  store: { fill: '#fff7ed', stroke: '#9a3412' },
  external: { fill: '#f4f4f5', stroke: '#52525b' },
  key: { fill: '#fefce8', stroke: '#a16207' },
};
const PERSONAL = '#c2410c';
const PLAIN = '#6b7280';

const x = (col: number) => LEFT + col * COL_PITCH;
const y = (row: number) => TOP + row * ROW_PITCH;
const height = (b: Box) => BOX_H + ((b.rowSpan ?? 1) - 1) * ROW_PITCH;

function wrap(text: string, width = WRAP): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function text(tx: number, ty: number, content: string, attrs = ''): string {
  return `<text x="${tx}" y="${ty}"${attrs ? ` ${attrs}` : ''}>${escapeHtml(content)}</text>`;
}

function box(b: Box): string {
  const { fill, stroke } = STYLE[b.kind];
  const bx = x(b.col);
  const by = y(b.row);
  const lines = b.lines.flatMap((l) => wrap(l));
  const parts = [
    `<rect x="${bx}" y="${by}" width="${BOX_W}" height="${height(b)}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`,
    text(bx + 10, by + 20, b.title, 'class="df-t"'),
    ...lines.map((l, i) => text(bx + 10, by + 37 + i * 15, l, 'class="df-s"')),
  ];
  return `<g>${parts.join('')}</g>`;
}

interface Edge {
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly personal: boolean;
  readonly label?: string;
  /** Where the label goes: above the first segment (default) or right of it. */
  readonly labelAt?: 'above' | 'right' | 'left';
  /** Draw an arrowhead at the end (default true). */
  readonly arrow?: boolean;
}

function edge(e: Edge): string {
  const colour = e.personal ? PERSONAL : PLAIN;
  const d = e.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px} ${py}`).join(' ');
  const dash = e.personal ? '' : ' stroke-dasharray="6 4"';
  const marker = e.personal ? 'arrow-personal' : 'arrow-plain';
  const end = e.arrow === false ? '' : ` marker-end="url(#${marker})"`;
  const parts = [`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}${end}/>`];
  const [a, b] = e.points;
  if (e.label && a && b) {
    const midX = Math.round((a[0] + b[0]) / 2);
    const midY = Math.round((a[1] + b[1]) / 2);
    if (e.labelAt === 'right') {
      parts.push(text(a[0] + 8, midY + 4, e.label, 'class="df-e"'));
    } else if (e.labelAt === 'left') {
      parts.push(text(midX - 8, midY - 4, e.label, 'class="df-e" text-anchor="end"'));
    } else {
      parts.push(text(midX, midY - 7, e.label, 'class="df-e" text-anchor="middle"'));
    }
  }
  return parts.join('');
}

/** Horizontal arrow from the right side of box `a` to the left side of box `b` on row `row`. */
const across = (fromCol: number, toCol: number, row: number, personal: boolean, label?: string): Edge => ({
  points: [
    [x(fromCol) + BOX_W, y(row) + BOX_H / 2],
    [x(toCol) - 2, y(row) + BOX_H / 2],
  ],
  personal,
  ...(label ? { label } : {}),
});

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function renderDataFlowSvg(model: PrivacyModel): string {
  const partners = model.partners;
  const n = partners.length;
  const notifyRow = 2 + n;
  const opsRow = 3 + n;
  const legendRow = 4 + n;
  const width = LEFT * 2 + 3 * COL_PITCH + BOX_W;
  const svgHeight = y(legendRow) + 40;
  const purposes = model.purposes.map((p) => p.purpose);
  const notifyOpens =
    model.components
      .find((c) => c.key === 'notify-customer')
      ?.decrypts.filter((c) => !([...INDEX_CONTEXTS, LEDGER_CONTEXT] as readonly string[]).includes(c)) ?? [];

  const boxes: Box[] = [
    { col: 0, row: 0, kind: 'actor', title: 'Customer', lines: ['checkout page in the browser'] },
    { col: 1, row: 0, kind: 'function', title: 'HTTP API', lines: ['POST /orders, TLS only'] },
    {
      col: 2,
      row: 0,
      kind: 'function',
      title: 'submit-order',
      lines: ['validates against the inventory,', 'seals each purpose'],
    },
    {
      col: 3,
      row: 0,
      kind: 'key',
      title: 'KMS purpose key',
      lines: [`contexts: ${[...purposes, ...INDEX_CONTEXTS, LEDGER_CONTEXT].join(', ')}`],
    },
    {
      col: 1,
      row: 1,
      rowSpan: 2,
      kind: 'store',
      title: 'Order table (DynamoDB)',
      lines: [
        'ORDER#: order in clear, no TTL',
        'PII#: sealed per purpose, expires',
        'CUSTOMER#: consent ledger +',
        'sealed marketing contact',
        'SUPPRESS#: keyed hash only',
      ],
    },
    {
      col: 2,
      row: 1,
      kind: 'function',
      title: 'SQS work queues',
      lines: ['order ids only, never', 'personal data; DLQ + alarm'],
    },
    ...partners.flatMap((p, i): Box[] => {
      const personal = p.personalFields.length;
      const clear = p.fields.length - personal;
      return [
        {
          col: 2,
          row: 2 + i,
          kind: 'function',
          title: 'deliver-to-partner',
          lines: [
            `for ${p.id}: ${p.decrypts.length > 0 ? `opens ${p.decrypts.join(', ')}` : 'opens nothing'}`,
          ],
        },
        {
          col: 3,
          row: 2 + i,
          kind: 'external',
          title: p.id,
          lines: [
            `${p.kind}: ${personal > 0 ? `${count(personal, 'personal field')}, ${count(clear, 'other field')}` : `no personal data, ${count(clear, 'field')}`}`,
          ],
        },
      ];
    }),
    {
      col: 2,
      row: notifyRow,
      kind: 'function',
      title: 'notify-customer',
      lines: [`opens: ${notifyOpens.join(', ')}`, 'marketing only with consent'],
    },
    {
      col: 3,
      row: notifyRow,
      kind: 'external',
      title: 'Amazon SES',
      lines: ["to the customer's own address,", 'with one-click opt-out'],
    },
    { col: 0, row: opsRow, kind: 'actor', title: 'Operator', lines: ['on a customer request'] },
    {
      col: 1,
      row: opsRow,
      kind: 'function',
      title: 'ops CLI (operator role)',
      lines: ['export, erase, purge, redrive;', 'may open every purpose'],
    },
  ];

  const busX = x(2) - 24;
  const edges: Edge[] = [
    across(0, 1, 0, true, 'order (TLS)'),
    across(1, 2, 0, true),
    across(2, 3, 0, false, 'data keys'),
    {
      points: [
        [x(2) + 30, y(0) + BOX_H],
        [x(1) + BOX_W - 2, y(1) + 22],
      ],
      personal: true,
      label: 'sealed',
      labelAt: 'left',
    },
    {
      points: [
        [x(2) + BOX_W / 2, y(0) + BOX_H],
        [x(2) + BOX_W / 2, y(1) - 2],
      ],
      personal: false,
      label: 'order id',
      labelAt: 'right',
    },
    {
      points: [
        [x(2), y(1) + BOX_H / 2],
        [busX, y(1) + BOX_H / 2],
        [busX, y(notifyRow) + BOX_H / 2],
      ],
      personal: false,
      arrow: false,
    },
    ...[...partners.map((_, i) => 2 + i), notifyRow].map(
      (row): Edge => ({
        points: [
          [busX, y(row) + BOX_H / 2],
          [x(2) - 2, y(row) + BOX_H / 2],
        ],
        personal: false,
      }),
    ),
    ...partners.map((p, i) => across(2, 3, 2 + i, p.personalFields.length > 0, 'webhook')),
    across(2, 3, notifyRow, true, 'email'),
    across(0, 1, opsRow, true, '--email'),
    {
      points: [
        [x(1) + BOX_W / 2, y(opsRow)],
        [x(1) + BOX_W / 2, y(1) + BOX_H + ROW_PITCH + 2],
      ],
      personal: true,
      label: 'export / erase / purge',
      labelAt: 'right',
    },
  ];

  const legendY = y(legendRow) + 8;
  const legend = [
    `<path d="M${LEFT} ${legendY} L${LEFT + 40} ${legendY}" stroke="${PERSONAL}" stroke-width="2"/>`,
    text(LEFT + 48, legendY + 4, 'carries personal data (TLS in transit, sealed at rest)', 'class="df-s"'),
    `<path d="M${LEFT + 420} ${legendY} L${LEFT + 460} ${legendY}" stroke="${PLAIN}" stroke-width="2" stroke-dasharray="6 4"/>`,
    text(LEFT + 468, legendY + 4, 'no personal data (ids, keys, non-personal fields)', 'class="df-s"'),
  ];

  const marker = (id: string, colour: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${colour}"/></marker>`;

  const description = `Orders flow from the checkout through the HTTP API to submit-order, which seals personal fields per purpose into the order table. Work queues carry order ids only. ${partners
    .map(
      (p) =>
        `The delivery function for ${p.id} opens ${p.decrypts.length > 0 ? p.decrypts.join(' and ') : 'nothing'}${p.scoped ? ` and serves ${p.destinations}` : ''}.`,
    )
    .join(
      ' ',
    )} notify-customer opens ${notifyOpens.join(' and ')} and sends through Amazon SES to the customer. The operator CLI exports and erases.`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${svgHeight}" viewBox="0 0 ${width} ${svgHeight}" role="img" aria-labelledby="flow-title flow-desc" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title id="flow-title">minimis data flow: where personal data goes</title>`,
    `<desc id="flow-desc">${escapeHtml(description)}</desc>`,
    `<defs>${marker('arrow-personal', PERSONAL)}${marker('arrow-plain', PLAIN)}</defs>`,
    '<style>.df-t{font-size:13px;font-weight:600;fill:#18181b}.df-s{font-size:11px;fill:#3f3f46}.df-e{font-size:10.5px;fill:#27272a;paint-order:stroke;stroke:#fff;stroke-width:3px}</style>',
    `<rect width="${width}" height="${svgHeight}" fill="#fff"/>`,
    text(LEFT, 32, 'minimis: where personal data goes', 'class="df-t" style="font-size:17px"'),
    text(
      LEFT,
      54,
      'Generated from shared/inventory.ts and the configured partners (npm run privacy-report).',
      'class="df-s"',
    ),
    ...boxes.map(box),
    ...edges.map(edge),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
