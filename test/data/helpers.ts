// Shared by the data tests: a small synthetic dataset in a temp folder, and the CSVs read with csv-parse
// directly (not through core/data), so expectations come from the files themselves.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';

export type CsvRow = Record<string, string>;

// Seed 7 with 5 studies has Severe, Moderate and empty (ungraded) cells for the conditions the tests use.
export const STUDIES = 5;
export const SEED = 7;

export async function makeDataset(prefix: string): Promise<{ temp: string; root: string; cleanup: () => void }> {
  const temp = mkdtempSync(join(tmpdir(), prefix));
  const root = join(temp, 'dataset');
  await ensureSyntheticDataset(root, { studies: STUDIES, seed: SEED });
  return { temp, root, cleanup: () => rmSync(temp, { recursive: true, force: true }) };
}

export function copyDataset(root: string, to: string): string {
  cpSync(root, to, { recursive: true });
  return to;
}

export function readCsv(path: string): CsvRow[] {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as CsvRow[];
}

export function writeCsv(path: string, rows: CsvRow[]): void {
  const header = Object.keys(rows[0]!);
  const lines = [header.join(','), ...rows.map((row) => header.map((column) => row[column]).join(','))];
  writeFileSync(path, lines.join('\n') + '\n');
}
