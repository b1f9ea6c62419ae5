// Where the editor's step-memory factors (core/experiment/stepMemoryEstimate.ts) come from: for each backbone,
// input size and count of trainable tensors given, the step memory a run measures on the wasm engine
// (run/stepMemory's probe passes) beside the estimate made from the model registry, and their ratios. A factor
// is right for a family when the ratios of its backbones sit near 1 at every size.
//
//   node --import tsx bench/seed/stepMemoryFactors.ts resnet152:64 vit_b_16:224 convnext_tiny:64:0 ...
//   (backbone:input size[:trainable tensors, 32 if left out]; AdamW, a 32-wide level embedding, one hidden layer of 64)
import * as tf from '@tensorflow/tfjs-core';
import { estimateStepMemory } from '../../core/experiment/stepMemoryEstimate';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { LevelClassifier } from '../../core/models/classifier';
import { freezeModel } from '../../core/models/freezing';
import { measureStepMemory } from '../../core/run/stepMemory';
import { AdamW } from '../../core/train/adamw';

const head = { levels: 5, embedding: 32, hidden: [64], classes: 3 };

async function main(cases: string[]) {
  await selectEngine({ engine: 'wasm' });
  console.log('backbone            size  tensors  measured MiB: fixed  per image  update  estimate/measured: ...');
  for (const spec of cases) {
    const [backbone = '', size = '', tensors = '32'] = spec.split(':');
    const inputSize = Number(size);
    const unfreezeLastN = Number(tensors);
    const model = LevelClassifier.create(backbone, { ...head, dropout: 0.1 }, 1);
    try {
      const trainable = freezeModel(model, { freezeBackbone: true, unfreezeLastN }).map((p) => p.variable);
      const measured = await measureStepMemory(
        model,
        trainable,
        inputSize,
        {},
        () => new AdamW({ learningRate: 1e-4, weightDecay: 0.02 }),
      );
      const estimate = estimateStepMemory({
        backbone,
        inputSize,
        trainableTensors: unfreezeLastN,
        head,
        optimizerSlots: 2,
      });
      const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(8);
      const ratio = (key: 'fixed' | 'perImage' | 'update') => (estimate.memory[key] / measured[key]).toFixed(2);
      console.log(
        `${backbone.padEnd(18)}  ${size.padStart(4)}  ${tensors.padStart(7)}  ${mib(measured.fixed)}  ` +
          `${mib(measured.perImage)}  ${mib(measured.update)}  fixed ${ratio('fixed')}, per image ` +
          `${ratio('perImage')}, update ${ratio('update')}, resident ` +
          `${(estimate.residentBytes / tf.memory().numBytes).toFixed(2)}`,
      );
    } finally {
      model.dispose();
    }
  }
  releaseEngine();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
