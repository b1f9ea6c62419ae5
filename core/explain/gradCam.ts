// Grad-CAM (Selvaraju et al. 2017) of a level classifier: the gradient of the grade's logit with respect to the
// activation A of one of the backbone's convolutional steps, channel weights w_c = the spatial mean of that
// gradient, map = ReLU(sum_c w_c A_c). The level index goes into the head with the features, so the logit, its
// gradient and the map depend on the level as the prediction did.
//
// Which step: the map is only as fine as that step's grid. The method was published on the last convolutional
// stage of 224-pixel inputs, a 7x7 grid; the crops RadLab grades are often much smaller (64 px gives ResNet's last
// stage a 2x2 grid, 32 px a single cell), where the last stage cannot say where anything is. So by default the
// map is computed on the deepest step whose grid is at least 7 cells on a side — the last stage whenever the input
// is large enough — and the map says which step it used. The steps are the backbone's (BackboneStage): residual,
// ConvNeXt or MBConv blocks and downsampling steps; for Swin its stages' token maps, which keep their 2-D layout
// (see explainModel.ts for why Swin is explained this way). The final step, the one that pools, is never explained.
import * as tf from '@tensorflow/tfjs-core';
import type { LevelClassifier } from '../models/classifier';
import { checkSingleImage, explainedGrade, saliencyMap, type SaliencyMap } from './saliencyMap';

/** The grid side (cells) the default step must reach: the last stage's grid at the method's published input. */
const FINEST_USEFUL_GRID = 7;

/** Which step to explain: 'last' (the last before pooling), 'auto' (see above) or a 0-based step index. */
export type GradCamStep = 'auto' | 'last' | number;

/**
 * The step Grad-CAM explains, from the output shapes of the steps before the pooling one: for 'auto', the deepest
 * spatial output at least FINEST_USEFUL_GRID on a side, else (a small input) the deepest of the largest grid.
 */
export function gradCamStep(outputShapes: readonly (readonly number[])[], step: GradCamStep): number {
  const last = outputShapes.length - 1;
  if (step === 'last') return last;
  if (typeof step === 'number') {
    if (!Number.isInteger(step) || step < 0 || step > last) {
      throw new RangeError(`step ${step} is not one of the backbone's steps before pooling (0 to ${last})`);
    }
    return step;
  }
  const grids = outputShapes.map((shape) => (shape.length === 4 ? Math.min(shape[1]!, shape[2]!) : 0));
  for (let index = last; index >= 0; index -= 1) if (grids[index]! >= FINEST_USEFUL_GRID) return index;
  const largest = Math.max(...grids);
  return largest > 0 ? grids.lastIndexOf(largest) : last;
}

export function gradCam(
  model: LevelClassifier,
  image: tf.Tensor4D,
  level: number,
  grade?: number,
  step: GradCamStep = 'auto',
): SaliencyMap {
  checkSingleImage(image, level, model.head.levels);
  const pass = model.backbone.beginPass(image, false);
  const pooling = pass.stageCount - 1;
  const runSteps = (x: tf.Tensor, from: number, to: number, each?: (output: tf.Tensor) => void) => {
    for (let index = from; index <= to; index += 1) {
      x = pass.runStage(index, x);
      each?.(x);
    }
    return x;
  };
  // The shapes first (one image, inference: cheap), then the pass again up to the chosen step.
  const shapes: number[][] = [];
  tf.tidy(() => {
    runSteps(image, 0, pooling - 1, (output) => shapes.push(output.shape));
  });
  const target = gradCamStep(shapes, step);
  const activation = tf.tidy(() => runSteps(image, 0, target));
  const levels = tf.tensor1d([level], 'int32');
  try {
    if (activation.rank !== 4) {
      throw new Error(
        `Grad-CAM needs a spatial feature map, but ${model.backbone.name}'s step ${target + 1} gives tokens ` +
          `[${activation.shape.join(', ')}]; explain it with attention rollout`,
      );
    }
    const logitsOf = (a: tf.Tensor) =>
      model.head.forward(runSteps(a, target + 1, pooling) as tf.Tensor2D, levels, false);
    const logits = tf.tidy(() => [...logitsOf(activation).dataSync()]);
    const explained = explainedGrade(logits, grade);
    const coarse = tf.tidy(() => {
      const gradient = tf.grad((a) => tf.squeeze(tf.slice(logitsOf(a), [0, explained], [1, 1])))(activation);
      const weights = tf.mean(gradient, [1, 2], true);
      return tf.relu(tf.sum(tf.mul(activation, weights), 3, true)) as tf.Tensor4D;
    });
    try {
      return { ...saliencyMap('grad-cam', { logits, coarse }, explained, image.shape), step: [target + 1, pooling] };
    } finally {
      coarse.dispose();
    }
  } finally {
    tf.dispose([activation, levels]);
  }
}
