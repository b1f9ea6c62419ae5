// ResNet-18 training step (128x128, batch 16, SGD) on a RadLab engine against PyTorch (torchvision resnet18,
// Debian python3-torch) at the same thread count, in the same run. Prints images/s for a training step and a
// forward pass, the ratio, the engine's per-kernel profile of one step (--profile) and peak RSS.
//   node --import tsx bench/engine/resnet18.ts [--threads N] [--engine wasm] [--steps 5] [--profile] [--no-torch]
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { releaseEngine, selectEngine, type EngineName } from '../../core/engine/selectEngine';
import { classes, createResnet18, resnet18Forward, trainStep, type Weights } from './resnet18Model';

const batch = 16;
const size = 128;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function forward(w: Weights, images: tf.Tensor4D): void {
  tf.tidy(() => resnet18Forward(w, images).dataSync());
}

function imagesPerSecond(step: () => void, steps: number): number {
  for (let i = 0; i < 2; i++) step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (batch * steps) / ((performance.now() - start) / 1000);
}

async function profileStep(w: Weights, images: tf.Tensor4D, labels: tf.Tensor1D): Promise<void> {
  const info = await tf.profile(() => {
    trainStep(w, images, labels);
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls++;
    byKernel.set(k.name, entry);
    total += ms;
  }
  console.log("\nprofile of one training step (a composite kernel's time includes the kernels it calls, listed too):");
  for (const [name, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) {
    console.log(`  ${name.padEnd(38)} ${e.ms.toFixed(0).padStart(7)} ms  ${String(e.calls).padStart(4)} calls`);
  }
  console.log(`  (sum over all recorded kernels ${total.toFixed(0)} ms, nested calls counted twice)`);
}

function torchBaseline(
  threads: number,
  steps: number,
): { train_images_per_s: number; forward_images_per_s: number; torch: string } | string {
  const script = join(__dirname, 'torch_resnet18.py');
  const result = spawnSync(
    '/usr/bin/python3',
    [script, '--threads', String(threads), '--steps', String(steps), '--batch', String(batch), '--size', String(size)],
    { encoding: 'utf8' },
  );
  if (result.status !== 0)
    return `PyTorch baseline failed (${result.error?.message ?? result.stderr.trim().split('\n').pop()}); install python3-torch and python3-torchvision`;
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const threads = Number(option('--threads', String(availableParallelism())));
  const steps = Number(option('--steps', '5'));
  const engine = option('--engine', 'wasm') as EngineName;
  const report = await selectEngine({ engine, threads });
  console.log(
    `engine ${report.chosen} (${report.backend}), ${report.threads} threads${report.threadsNote ? ` (${report.threadsNote})` : ''}; ${report.device.cpuModel}`,
  );
  const w = createResnet18();
  const images = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 37) % classes),
    'int32',
  );
  const train = imagesPerSecond(() => trainStep(w, images, labels), steps);
  const fwd = imagesPerSecond(() => forward(w, images), steps);
  if (process.argv.includes('--profile')) await profileStep(w, images, labels);
  releaseEngine();
  console.log(`\nResNet-18 ${size}x${size} batch ${batch}, ${steps} timed steps after 2 warm-up`);
  console.log(`  ${report.chosen}: train ${train.toFixed(2)} img/s, forward ${fwd.toFixed(2)} img/s`);
  if (!process.argv.includes('--no-torch')) {
    const torch = torchBaseline(report.threads, steps);
    if (typeof torch === 'string') console.log(`  ${torch}`);
    else {
      console.log(
        `  PyTorch ${torch.torch}: train ${torch.train_images_per_s.toFixed(2)} img/s, forward ${torch.forward_images_per_s.toFixed(2)} img/s`,
      );
      console.log(
        `  ratio ${report.chosen}/PyTorch: train ${(train / torch.train_images_per_s).toFixed(3)}x, forward ${(fwd / torch.forward_images_per_s).toFixed(3)}x`,
      );
    }
  }
  console.log(`  peak RSS (this process) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    releaseEngine();
    process.exit(1);
  });
}
