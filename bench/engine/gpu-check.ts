// Which GPU engine works on this machine and how fast it trains: for tfjs-node-gpu and webgpu, the ladder's
// verdict and, where one is available, images/s of the ResNet-18 training step (128x128, batch 16) and forward
// pass. Each engine runs in its own child process with a time limit, so a driver hang or crash is reported
// instead of stopping the check. Finishes in a few minutes; prints the wasm rung's verdict for reference.
//   node --import tsx bench/engine/gpu-check.ts [--steps 3] [--timeout-s 240]
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { probeLadder, releaseEngine, selectEngine, type EngineName } from '../../core/engine/selectEngine';
import { createResnet18, resnet18Forward, trainStep } from './resnet18Model';

const batch = 16;
const size = 128;
const gpuRungs: EngineName[] = ['tfjs-node-gpu', 'webgpu'];

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface RungResult {
  engine: string;
  device?: string;
  train_images_per_s: number;
  forward_images_per_s: number;
  loss_finite: boolean;
}

async function measure(engine: EngineName, steps: number): Promise<RungResult> {
  const report = await selectEngine({ engine });
  const w = createResnet18();
  const images = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 37) % 1000),
    'int32',
  );
  const time = (step: () => void): number => {
    step();
    const start = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (batch * steps) / ((performance.now() - start) / 1000);
  };
  let loss = 0;
  const train = time(() => {
    loss = trainStep(w, images, labels);
  });
  const forward = time(() => tf.tidy(() => resnet18Forward(w, images).dataSync()));
  releaseEngine();
  const result: RungResult = {
    engine,
    train_images_per_s: train,
    forward_images_per_s: forward,
    loss_finite: Number.isFinite(loss),
  };
  if (report.device.gpu !== undefined) result.device = report.device.gpu;
  return result;
}

async function main(): Promise<void> {
  const steps = Number(option('--steps', '3'));
  const rung = option('--rung', '');
  if (rung) {
    console.log(JSON.stringify(await measure(rung as EngineName, steps)));
    return;
  }
  const timeoutS = Number(option('--timeout-s', '240'));
  const ladder = await probeLadder();
  console.log(`ResNet-18 ${size}x${size} batch ${batch}, ${steps} timed steps per engine`);
  let working = 0;
  for (const r of ladder) {
    if (!gpuRungs.includes(r.name) || !r.available) {
      console.log(`  ${r.name.padEnd(14)} ${r.available ? 'available' : 'unavailable'}: ${r.reason}`);
      continue;
    }
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, __filename, '--rung', r.name, '--steps', String(steps)],
      {
        encoding: 'utf8',
        timeout: timeoutS * 1000,
      },
    );
    const last = child.stdout?.trim().split('\n').pop() ?? '';
    if (child.status === 0 && last.startsWith('{')) {
      const m = JSON.parse(last) as RungResult;
      working++;
      console.log(
        `  ${r.name.padEnd(14)} works on ${m.device ?? r.reason}: train ${m.train_images_per_s.toFixed(1)} img/s, forward ${m.forward_images_per_s.toFixed(1)} img/s${m.loss_finite ? '' : ' (loss not finite!)'}`,
      );
    } else {
      const why = child.error
        ? child.error.message
        : child.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${child.status}`;
      console.log(`  ${r.name.padEnd(14)} available but failed: ${why}`);
    }
  }
  console.log(
    working > 0
      ? `${working} GPU engine(s) work here.`
      : 'No GPU engine works here; training uses the wasm engine on the CPU.',
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
