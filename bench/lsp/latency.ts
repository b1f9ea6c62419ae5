// Latency of the real language server over stdio, as an editor sees it:
//   (a) diagnostics: didChange sent → publishDiagnostics for that version received, for an edit in a short section
//       and, on the long file, for one inside its 1,960-line section and for an item line added/removed there;
//   (b) completion: request sent → response received (at a key position and at a value position);
// on the "New Experiment" template and on a generated 2,000-line experiment. Baseline in the same run: a plain
// `yaml` parse of the same text, the floor any YAML-aware server pays per edit.
// Targets: diagnostics p95 < 20 ms, completion p95 < 10 ms.
// Run: npm run bench:lsp   (or: npm run build && node --import tsx bench/lsp/latency.ts [--iterations=N])
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { experimentTemplate } from '../../core/experiment/template';
import { twoThousandLines } from '../../test/lsp/generatedExperiment';
import { fileUri, LspTestClient } from '../../test/lsp/lspClient';

const iterationsOption = process.argv.find((arg) => arg.startsWith('--iterations='));
const iterations = Math.max(200, Number(iterationsOption?.split('=')[1] ?? 300) || 300);
const warmup = 30;

interface Sample {
  text: string;
  name: string;
  uri: string;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

interface Row {
  file: string;
  operation: string;
  p50: number;
  p95: number;
  max: number;
  target?: number;
}

function summarize(file: string, operation: string, samples: number[], target?: number): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  return { file, operation, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1)!, target };
}

/** The line index and value range of `key: value` (first occurrence). */
function locate(text: string, key: string): { line: number; valueStart: number; valueEnd: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => new RegExp(`^\\s*${key}: \\S`).test(l));
  if (line === -1) throw new Error(`no "${key}:" line in the benchmark text`);
  const content = lines[line]!;
  const valueStart = content.indexOf(': ') + 2;
  const comment = content.indexOf(' #', valueStart);
  return { line, valueStart, valueEnd: comment === -1 ? content.length : comment };
}

/** The line of the middle `- <number>` item of the text's longest block list, with its value's columns. */
function middleListItem(text: string): { line: number; valueStart: number; valueEnd: number } | undefined {
  const lines = text.split('\n');
  const items = lines.flatMap((content, line) => (/^\s*- \d+$/.test(content) ? [line] : []));
  if (items.length === 0) return undefined;
  const line = items[Math.floor(items.length / 2)]!;
  const valueStart = lines[line]!.indexOf('- ') + 2;
  return { line, valueStart, valueEnd: lines[line]!.length };
}

/** Latencies of didChange -> publishDiagnostics for the change `changeAt(i)` makes at step i; every state must validate clean. */
async function diagnosticsAfter(
  client: LspTestClient,
  sample: Sample,
  changeAt: (step: number) => TextDocumentContentChangeEvent,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const change = changeAt(i);
    const started = performance.now();
    const published = await client.change(sample.uri, [change]);
    const elapsed = performance.now() - started;
    if (published.diagnostics.length > 0)
      throw new Error(`edit produced diagnostics: ${JSON.stringify(published.diagnostics)}`);
    if (i >= warmup) times.push(elapsed);
  }
  return times;
}

/** Alternates a value between two numbers that both validate clean. */
function valueEdits(
  sample: Sample,
  at: { line: number; valueStart: number; valueEnd: number },
  values: [number, number],
) {
  let valueEnd = at.valueEnd;
  let current = Number(sample.text.split('\n')[at.line]!.slice(at.valueStart, at.valueEnd));
  return (): TextDocumentContentChangeEvent => {
    const next = current === values[0] ? values[1] : values[0];
    const range = { start: { line: at.line, character: at.valueStart }, end: { line: at.line, character: valueEnd } };
    current = next;
    valueEnd = at.valueStart + String(next).length;
    return { range, text: String(next) };
  };
}

/** Alternately inserts the line `text` before line `line` and deletes it again: a list item typed or removed. */
function lineInsertionsAndDeletions(line: number, text: string) {
  return (step: number): TextDocumentContentChangeEvent =>
    step % 2 === 0
      ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${text}\n` }
      : { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' };
}

async function measure(client: LspTestClient, sample: Sample): Promise<Row[]> {
  const opened = await client.open(sample.uri, sample.text);
  if (opened.diagnostics.length > 0) {
    throw new Error(`${sample.name} should validate clean, got ${JSON.stringify(opened.diagnostics)}`);
  }
  const epochs = locate(sample.text, 'epochs');
  const backbones = locate(sample.text, 'backbones');
  // An edit in a short section (train.epochs) and, on the long file, one inside its long section (an item in the
  // middle of model.head.hidden): the language server re-parses only the top-level sections an edit touched.
  const diagnostics = await diagnosticsAfter(client, sample, valueEdits(sample, epochs, [30, 31]));
  const listItem = middleListItem(sample.text);
  const inLongSection =
    listItem === undefined
      ? undefined
      : await diagnosticsAfter(client, sample, valueEdits(sample, listItem, [64, 128]));
  // A structural edit in the long section: the list gains an item line `<indent>- 64`, then loses it.
  const lineInLongSection =
    listItem === undefined
      ? undefined
      : await diagnosticsAfter(
          client,
          sample,
          lineInsertionsAndDeletions(listItem.line, `${' '.repeat(listItem.valueStart - 2)}- 64`),
        );

  const completionAt = async (position: { line: number; character: number }, expect: string): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const started = performance.now();
      const items = await client.request<{ label: string }[]>('textDocument/completion', {
        textDocument: { uri: sample.uri },
        position,
      });
      const elapsed = performance.now() - started;
      if (!items.some((item) => item.label === expect)) throw new Error(`completion lacks ${expect}`);
      if (i >= warmup) times.push(elapsed);
    }
    return times;
  };
  // On the empty last line: the top-level keys not yet written (the template leaves `description` commented
  // out). After `backbones: `: the registry's backbones with their details.
  const lastLine = sample.text.split('\n').length - 1;
  const keyTimes = await completionAt({ line: lastLine, character: 0 }, 'description');
  const valueTimes = await completionAt({ line: backbones.line, character: backbones.valueStart }, 'convnext_base');
  await client.close(sample.uri);

  const parseTimes: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const started = performance.now();
    parseDocument(sample.text);
    if (i >= warmup) parseTimes.push(performance.now() - started);
  }
  return [
    summarize(sample.name, 'baseline: yaml parseDocument', parseTimes),
    summarize(sample.name, 'diagnostics after edit', diagnostics, 20),
    ...(inLongSection === undefined
      ? []
      : [summarize(sample.name, 'diagnostics, edit in the long section', inLongSection, 20)]),
    ...(lineInLongSection === undefined
      ? []
      : [summarize(sample.name, 'diagnostics, line added/removed in the long section', lineInLongSection, 20)]),
    summarize(sample.name, 'completion (key)', keyTimes, 10),
    summarize(sample.name, 'completion (backbone value)', valueTimes, 10),
  ];
}

function serverPeakRssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function printTable(rows: Row[]): void {
  const header = ['file', 'operation', 'p50 ms', 'p95 ms', 'max ms', 'p50/parse', 'p95/parse', 'target p95'];
  const table = rows.map((row) => {
    const baseline = rows.find((r) => r.file === row.file && r.operation.startsWith('baseline'))!;
    const isBaseline = row === baseline;
    return [
      row.file,
      row.operation,
      row.p50.toFixed(2),
      row.p95.toFixed(2),
      row.max.toFixed(2),
      isBaseline ? '1.0' : (row.p50 / baseline.p50).toFixed(1),
      isBaseline ? '1.0' : (row.p95 / baseline.p95).toFixed(1),
      row.target === undefined ? '' : `< ${row.target} ${row.p95 < row.target ? 'met' : 'MISSED'}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const cells of table) console.log(format(cells));
}

async function main(): Promise<void> {
  // The documents are never written: the URIs only give relative paths a folder to resolve against.
  const folder = resolve(__dirname, '../.tmp/lsp');
  const template = experimentTemplate({ name: 'latency-bench', dataRoot: 'synthetic-data', synthetic: true });
  const samples: Sample[] = [
    {
      name: `template (${template.split('\n').length - 1} lines)`,
      text: template,
      uri: fileUri(resolve(folder, 'template.experiment.yaml')),
    },
  ];
  const big = twoThousandLines(template);
  samples.push({
    name: `generated (${big.split('\n').length - 1} lines)`,
    text: big,
    uri: fileUri(resolve(folder, 'big.experiment.yaml')),
  });

  const client = LspTestClient.start();
  await client.initialize();
  const rows: Row[] = [];
  for (const sample of samples) rows.push(...(await measure(client, sample)));
  const serverRss = serverPeakRssKiB(client.child.pid);
  await client.shutdown();

  console.log(
    `RadLab language server latency over stdio, ${iterations} iterations each after ${warmup} warm-up (Node ${process.version})`,
  );
  printTable(rows);
  console.log(
    `peak RSS: server ${serverRss === undefined ? 'n/a' : `${(serverRss / 1024).toFixed(1)} MiB`}, ` +
      `client ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`,
  );
  const missed = rows.filter((row) => row.target !== undefined && row.p95 >= row.target);
  if (missed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
