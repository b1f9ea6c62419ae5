// Slices per CPU-second for the per-slice work of dataset building (read, decode, window, crop, resize to 224) on
// 512x512 signed 16-bit MR slices, against pydicom + numpy + Pillow doing the same in the same run.
//   node --import tsx bench/dicom/slices.ts [--rounds N] [--repeats N] [--config issue|crop60]
// Configurations (both sides do exactly this; see pydicom_baseline.py):
//   issue   a fixed 384 x 384 crop at (64, 64), bilinear (PIL BILINEAR), the issue's setting
//   crop60  the schema's default input: a 60 mm square (87 px at 0.6875 mm) at the slice centre, enlarged with
//           lanczos3 (PIL LANCZOS, as sampleInput.ts resizes)
// Both read the file, decode the whole frame, window only the crop with the file's WindowCenter/Width (the crop
// is taken from the stored values first: a numpy slice is free, and so is a region here) and resize to 224.
// Node runs the code that builds model inputs: readDicomFile and sliceInput from core/data/sampleInput.ts, whose
// resampler (core/data/resample: windowing and resizing in WebAssembly) computes Pillow's bytes, so the two sides'
// centre-pixel checksums must agree (the bench fails if not). A third line windows in JavaScript and resizes with
// sharp (libvips, one thread), the library pipeline core/data/resample replaced: it shows what that choice buys.
// CPU time (user + system, all threads) is the measure, so every figure is per core.
// Each repeat times Node then Python; the medians over repeats and the ratio of medians are printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { readDicomFile, windowRegionToUint8, type PixelRegion } from '../../core/dicom/index';
import { sliceInput, type ResizeKernel } from '../../core/data/sampleInput';

const folder = join('bench', '.tmp', 'dicom');
const python = '/usr/bin/python3';
const OUT = 224;
const SPACING_MM = 0.6875; // the PixelSpacing pydicom_baseline.py writes

interface Config {
  region: PixelRegion;
  kernel: ResizeKernel;
  describe: string;
}

const crop60Side = Math.round(60 / SPACING_MM);
const configs: Record<string, Config> = {
  issue: {
    region: { left: 64, top: 64, width: 384, height: 384 },
    kernel: 'linear',
    describe: 'crop 384 at (64,64), bilinear',
  },
  crop60: {
    region: {
      left: Math.round(255.5 - crop60Side / 2),
      top: Math.round(255.5 - crop60Side / 2),
      width: crop60Side,
      height: crop60Side,
    },
    kernel: 'lanczos3',
    describe: `crop 60 mm = ${crop60Side} px at the centre, lanczos3`,
  },
};

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    repeats: { type: 'string', default: '3' },
    config: { type: 'string', default: 'issue' },
  },
});
const rounds = Number(options.rounds);
const repeats = Number(options.repeats);
const config = configs[options.config!];
if (config === undefined) throw new Error(`--config must be one of ${Object.keys(configs).join(', ')}`);

function runPython(...args: string[]): string {
  const result = spawnSync(python, ['bench/dicom/pydicom_baseline.py', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pydicom_baseline.py ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

type SliceWork = (path: string) => Promise<Uint8Array>;

async function processSlice(path: string): Promise<Uint8Array> {
  return sliceInput(await readDicomFile(path), { kind: 'tags' }, config!.region, OUT, config!.kernel);
}

/** The same work windowed in JavaScript and resized by sharp (its kernels share their names with resample's). */
async function processSliceWithSharp(path: string): Promise<Uint8Array> {
  const { width, height } = config!.region;
  const grey = windowRegionToUint8(await readDicomFile(path), 0, { kind: 'tags' }, config!.region);
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .resize(OUT, OUT, { fit: 'fill', kernel: config!.kernel })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function timeNode(files: string[], work: SliceWork): Promise<{ slicesPerCpuS: number; checksum: number }> {
  const start = cpuSeconds();
  let checksum = 0;
  for (let r = 0; r < rounds; r++) {
    for (const file of files) checksum += (await work(file))[(OUT / 2) * OUT + OUT / 2]!;
  }
  return { slicesPerCpuS: (rounds * files.length) / (cpuSeconds() - start), checksum };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perSlice = (slicesPerCpuS: number) =>
  `${slicesPerCpuS.toFixed(1)} slices/s per core, ${(1000 / slicesPerCpuS).toFixed(2)} CPU ms/slice`;

async function main(): Promise<void> {
  if (!existsSync(folder) || readdirSync(folder).length === 0) runPython('make', folder, '8');
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => join(folder, f));
  // Warm-up: module loading and JIT compilation (Python's side has no JIT and warms up on one slice).
  for (let i = 0; i < 5 * files.length; i++) await processSlice(files[i % files.length]!);
  const { left, top, width, height } = config!.region;
  const pythonArgs = ['run', folder, String(rounds), `${left},${top},${width},${height}`, config!.kernel];
  const node: number[] = [];
  const py: number[] = [];
  let pyRssKiB = 0;
  console.log(
    `${rounds * files.length} slices of 512x512 int16 per run: read + decode + window + ${config!.describe} to ${OUT}`,
  );
  for (let k = 0; k < repeats; k++) {
    const n = await timeNode(files, processSlice);
    const p = JSON.parse(runPython(...pythonArgs)) as {
      slices_per_cpu_s: number;
      peak_rss_kib: number;
      checksum: number;
    };
    if (n.checksum !== p.checksum)
      throw new Error(
        `centre-pixel checksums differ (node ${n.checksum}, python ${p.checksum}): the two sides no longer do the same work`,
      );
    node.push(n.slicesPerCpuS);
    py.push(p.slices_per_cpu_s);
    pyRssKiB = Math.max(pyRssKiB, p.peak_rss_kib);
    console.log(
      `  run ${k + 1}: node ${n.slicesPerCpuS.toFixed(1)}, python ${p.slices_per_cpu_s.toFixed(1)} slices/s per core, ratio ${(n.slicesPerCpuS / p.slices_per_cpu_s).toFixed(2)}x` +
        ` (centre-pixel checksum ${n.checksum} on both sides)`,
    );
  }
  // Read before sharp runs, so the figure is the dataset code's own.
  const nodeRssMiB = process.resourceUsage().maxRSS / 1024;
  sharp.concurrency(1);
  sharp.cache(false);
  for (let i = 0; i < 5 * files.length; i++) await processSliceWithSharp(files[i % files.length]!);
  const withSharp: number[] = [];
  for (let k = 0; k < repeats; k++) withSharp.push((await timeNode(files, processSliceWithSharp)).slicesPerCpuS);
  console.log(`median of ${repeats}:`);
  console.log(`  node  (core/dicom + resample):   ${perSlice(median(node))}, peak RSS ${nodeRssMiB.toFixed(0)} MiB`);
  console.log(
    `  python (pydicom + PIL):           ${perSlice(median(py))}, peak RSS ${(pyRssKiB / 1024).toFixed(0)} MiB`,
  );
  console.log(
    `  node, JS window + sharp resize:   ${perSlice(median(withSharp))}, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (with the above)`,
  );
  console.log(
    `  ratio node/python: ${(median(node) / median(py)).toFixed(2)}x (target >= 2x); median of per-run ratios ${median(node.map((v, i) => v / py[i]!)).toFixed(2)}x`,
  );
  console.log(`  ratio node/node with JS window + sharp: ${(median(node) / median(withSharp)).toFixed(2)}x`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
