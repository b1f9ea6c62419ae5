// The language server fuzzer at full size: 10,000 fuzzed documents (test/robustness/experimentCorpus.ts: edits of valid
// experiments, random YAML, random bytes, lines up to 1,000,000 characters, nesting up to 5,000 deep) through the
// real language server, then the same documents through `radlab validate`'s validator.
// Measured: diagnostics latency (didOpen sent → publishDiagnostics for version 1 received) p50/p99/max per kind;
// baseline in the same run: the unmutated valid fixture opened the same way every 50 documents. Target p99 < 50 ms.
// Run: npm run build && node --import tsx bench/robustness/lspFuzz.ts [--documents=10000] [--seed=1]
import { performance } from 'node:perf_hooks';
import { validateExperiment } from '../../core/experiment/validate';
import { fixture, unsavedFixtureUri } from '../../test/lsp/fixtures';
import { LspTestClient } from '../../test/lsp/lspClient';
import { fuzzDocument } from '../../test/robustness/experimentCorpus';

function option(name: string, fallback: number): number {
  const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? fallback : Number(value);
}

const documents = option('documents', 10_000);
const seed = option('seed', 1);
const sizes = { longLine: 1_000_000, depth: 5_000 };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function summary(values: number[]): string {
  return `n=${String(values.length).padStart(5)}  p50 ${percentile(values, 50).toFixed(2).padStart(7)} ms  p99 ${percentile(values, 99).toFixed(2).padStart(7)} ms  max ${Math.max(
    ...values,
  )
    .toFixed(2)
    .padStart(7)} ms`;
}

async function main(): Promise<void> {
  const client = LspTestClient.start();
  await client.initialize();
  const baselineDocument = fixture('valid.experiment.yaml');
  const latencies = new Map<string, number[]>([
    ['all fuzzed', []],
    ['baseline (valid fixture)', []],
  ]);
  let requestsAnswered = 0;
  const started = performance.now();
  for (let i = 0; i < documents; i++) {
    const document = fuzzDocument(seed, i, sizes);
    const uri = unsavedFixtureUri(`bench-fuzz-${i % 8}.experiment.yaml`);
    const sent = performance.now();
    await client.open(uri, document.text);
    const elapsed = performance.now() - sent;
    latencies.get('all fuzzed')!.push(elapsed);
    if (!latencies.has(document.kind)) latencies.set(document.kind, []);
    latencies.get(document.kind)!.push(elapsed);
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 4 } });
    requestsAnswered += 2;
    await client.close(uri);
    if (i % 50 === 0) {
      const baselineUri = unsavedFixtureUri('bench-baseline.experiment.yaml');
      const baselineSent = performance.now();
      await client.open(baselineUri, baselineDocument.text);
      latencies.get('baseline (valid fixture)')!.push(performance.now() - baselineSent);
      await client.close(baselineUri);
    }
    if (!client.alive) throw new Error(`the server exited at document ${i} (seed ${seed})`);
  }
  const lspSeconds = (performance.now() - started) / 1000;
  const errors = client.errorLogs();
  console.log(
    `language server: ${documents} documents (seed ${seed}) in ${lspSeconds.toFixed(1)} s, ${requestsAnswered} requests answered, ${errors.length} handler errors, alive: ${client.alive}`,
  );
  for (const [name, values] of latencies) console.log(`  ${name.padEnd(26)} ${summary(values)}`);
  const fuzzedP99 = percentile(latencies.get('all fuzzed')!, 99);
  console.log(
    `  p99 ratio fuzzed / baseline: ${(fuzzedP99 / percentile(latencies.get('baseline (valid fixture)')!, 99)).toFixed(2)}; target p99 < 50 ms: ${fuzzedP99 < 50 ? 'met' : 'NOT met'}`,
  );
  await client.shutdown();

  // The validator `radlab validate` runs, in-process (no server, no JSON-RPC): the floor under the latencies above.
  const validateTimes: number[] = [];
  let crashes = 0;
  for (let i = 0; i < documents; i++) {
    const { text } = fuzzDocument(seed, i, sizes);
    const t = performance.now();
    try {
      validateExperiment(text, { filePath: baselineDocument.path, checkDataset: true });
    } catch (error) {
      crashes++;
      console.log(`validate threw on document ${i}: ${(error as Error).stack}`);
    }
    validateTimes.push(performance.now() - t);
  }
  console.log(`validate (in-process): ${documents} documents, ${crashes} crashes, ${summary(validateTimes)}`);
  console.log(`peak RSS of the bench process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

void main();
