// One row per scenario: written by the scenario files (each in its own process) to the suite's
// temp dir, printed together at the end by the global setup.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FaultRow {
  scenario: string;
  expected: number;
  lost: number;
  duplicated: number;
  creditsOver: number;
  stuck: number;
  /** Sends really cut (acceptable), counted apart. */
  uncertain: number;
  /** Seconds from the fault until Redis held every outstanding job again (null: not measured). */
  requeueSeconds: number | null;
  /** Seconds from the end of the fault to a finished run (null: not measured). */
  recoverSeconds: number | null;
  notes?: string;
}

const COLUMNS: [keyof FaultRow, string][] = [
  ['scenario', 'scenario'],
  ['expected', 'expected'],
  ['lost', 'lost'],
  ['duplicated', 'dup'],
  ['creditsOver', 'credits over'],
  ['stuck', 'stuck'],
  ['uncertain', 'uncertain'],
  ['requeueSeconds', 'requeued s'],
  ['recoverSeconds', 'recover s'],
  ['notes', 'notes'],
];

export function writeRow(dir: string, row: FaultRow): void {
  appendFileSync(join(dir, 'rows.jsonl'), `${JSON.stringify(row)}\n`);
  console.log(formatTable([row]));
}

export function readRows(dir: string): FaultRow[] {
  const file = join(dir, 'rows.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FaultRow);
}

function formatTable(rows: FaultRow[]): string {
  const cell = (row: FaultRow, key: keyof FaultRow) => {
    const value = row[key];
    return value === null || value === undefined
      ? '-'
      : typeof value === 'number' && key.endsWith('Seconds')
        ? value.toFixed(1)
        : String(value);
  };
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => cell(r, key).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map(([key]) => cell(r, key)))),
  ].join('\n');
}

export function printTable(rows: FaultRow[]): void {
  if (rows.length > 0) console.log(`\nFault suite\n${formatTable(rows)}\n`);
}
