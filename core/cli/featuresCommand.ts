// `radlab features <backbone> --weights <file> --input <in.safetensors> --out <out.safetensors>`: runs a backbone
// with pretrained weights on a given tensor and writes its features, so they can be compared with PyTorch's
// (the parity check for an imported checkpoint).
import * as tf from '@tensorflow/tfjs-core';
import { processOutput, type CommandOutput } from './modelCommand';
import { selectEngine, releaseEngine, engineNames, type EngineName } from '../engine/selectEngine';
import { defineBackbone } from '../models/build';
import type { Backbone } from '../models/module';
import { readSafetensors, writeSafetensors } from '../models/safetensors';
import { formatKeyReport } from '../models/weights/keyReport';
import { loadBackboneWeights } from '../models/weights/loadWeights';
import { parseCommandArgs } from './commandArgs';

const USAGE =
  'usage: radlab features <backbone> --weights <file.pth|file.safetensors> --input <in.safetensors> ' +
  '--out <out.safetensors> [--engine auto|' +
  engineNames.join('|') +
  '] [--threads N] [--non-strict]\n' +
  '  in.safetensors holds `input`: float32 NCHW, already normalised; out.safetensors gets `features` [N, width].\n';

export interface HostArray {
  shape: number[];
  data: Float32Array;
}

/** Eval-mode features of an NCHW float32 batch. */
export function backboneFeatures(backbone: Backbone, input: HostArray): HostArray {
  if (input.shape.length !== 4 || input.shape[1] !== 3) {
    throw new RangeError(`the input must be NCHW with 3 channels, got shape [${input.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const nhwc = tf.transpose(tf.tensor4d(input.data, input.shape as [number, number, number, number]), [0, 2, 3, 1]);
    const features = backbone.forward(nhwc as tf.Tensor4D, false);
    return { shape: [...features.shape], data: features.dataSync() as Float32Array };
  });
}

async function readInput(file: string): Promise<HostArray> {
  const { tensors } = await readSafetensors(file);
  const input = tensors.get('input');
  if (input === undefined) {
    throw new Error(`${file}: no tensor named 'input' (found ${[...tensors.keys()].join(', ') || 'none'})`);
  }
  if (!(input.data instanceof Float32Array) || input.dtype !== 'F32') {
    throw new Error(`${file}: 'input' is ${input.dtype}; write it as float32`);
  }
  return { shape: input.shape, data: input.data };
}

export async function run(args: string[], output: CommandOutput = processOutput): Promise<number> {
  const parsed = parseCommandArgs(
    'features',
    USAGE,
    args,
    {
      weights: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      engine: { type: 'string', default: 'auto' },
      threads: { type: 'string' },
      'non-strict': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    (text) => output.err(text),
  );
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.weights || !values.input || !values.out) {
    output.err(`radlab features: a backbone, --weights, --input and --out are required\n${USAGE}`);
    return 2;
  }
  const engine = values.engine as 'auto' | EngineName;
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  try {
    const backbone = defineBackbone(positionals[0]!);
    const input = await readInput(values.input);
    const started = await selectEngine(threads === undefined ? { engine } : { engine, threads });
    try {
      backbone.initialize(0);
      const report = await loadBackboneWeights(backbone, values.weights, { strict: !values['non-strict'] });
      output.err(formatKeyReport(report));
      const features = backboneFeatures(backbone, input);
      await writeSafetensors(
        values.out,
        [{ name: 'features', dtype: 'F32', shape: features.shape, data: features.data }],
        {
          backbone: backbone.name,
          weights: values.weights,
          engine: started.chosen,
        },
      );
      output.out(`${values.out}: features [${features.shape.join(', ')}] (${backbone.name}, ${started.chosen})\n`);
      backbone.dispose();
      return 0;
    } finally {
      releaseEngine();
    }
  } catch (error) {
    output.err(`radlab features: ${(error as Error).message}\n`);
    return 1;
  }
}
