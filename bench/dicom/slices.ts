// Slices per CPU-second for the per-slice work of dataset building (read, decode, window, crop, resize to 224) on
// 512x512 signed 16-bit MR slices, against pydicom + numpy + Pillow doing the same in the same run.
//   node --import tsx bench/dicom/slices.ts [rounds]
// CPU time (user + system, all threads) is the measure, so both figures are per core; sharp runs one thread.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readDicomBytes, windowToUint8 } from '../../core/dicom/index';

const folder = join('bench', '.tmp', 'dicom');
const python = '/usr/bin/python3';
const rounds = Number(process.argv[2] ?? 10);
const CROP = { left: 64, top: 64, width: 384, height: 384 };
const OUT = 224;

function runPython(...args: string[]): string {
  const result = spawnSync(python, ['bench/dicom/pydicom_baseline.py', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pydicom_baseline.py ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

// One display buffer for every slice, as a dataset builder would keep per worker.
const display = new Uint8Array(512 * 512);

async function processSlice(path: string): Promise<Buffer> {
  const image = await readDicomBytes(path, new Uint8Array(await readFile(path)));
  windowToUint8(image, 0, { kind: 'tags' }, display);
  return sharp(display, { raw: { width: image.meta.columns, height: image.meta.rows, channels: 1 } })
    .extract(CROP)
    .resize(OUT, OUT, { kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function main(): Promise<void> {
  if (!existsSync(folder) || readdirSync(folder).length === 0) runPython('make', folder, '8');
  const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));
  sharp.concurrency(1);
  sharp.cache(false);
  await processSlice(files[0]!); // warm-up: module loading and first-call costs
  const start = cpuSeconds();
  let checksum = 0;
  for (let r = 0; r < rounds; r++) {
    for (const file of files) checksum += (await processSlice(file))[(OUT / 2) * OUT + OUT / 2]!;
  }
  const cpu = cpuSeconds() - start;
  const slices = rounds * files.length;
  const node = { slicesPerCpuS: slices / cpu, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  const py = JSON.parse(runPython('run', folder, String(rounds))) as {
    slices_per_cpu_s: number;
    peak_rss_kib: number;
    checksum: number;
  };
  console.log(`${slices} slices of 512x512 int16: read + decode + window + crop 384 + resize ${OUT}`);
  console.log(`  node  (core/dicom + sharp): ${node.slicesPerCpuS.toFixed(1)} slices/s per core, ${(1000 / node.slicesPerCpuS).toFixed(2)} CPU ms/slice, peak RSS ${node.peakRssMiB.toFixed(0)} MiB`);
  console.log(`  python (pydicom + PIL):     ${py.slices_per_cpu_s.toFixed(1)} slices/s per core, ${(1000 / py.slices_per_cpu_s).toFixed(2)} CPU ms/slice, peak RSS ${(py.peak_rss_kib / 1024).toFixed(0)} MiB`);
  console.log(`  ratio node/python: ${(node.slicesPerCpuS / py.slices_per_cpu_s).toFixed(2)}x (target >= 2x)`);
  console.log(`  centre-pixel checksums: node ${checksum}, python ${py.checksum}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
