// Grad-CAM (Selvaraju et al. 2017) of a level classifier: the gradient of the grade's logit with respect to the
// activation A of the backbone's last convolutional stage, channel weights w_c = the spatial mean of that gradient,
// map = ReLU(sum_c w_c A_c). The level index goes into the head with the features, so the logit, its gradient and
// the map depend on the level as the prediction did.
//
// "Last convolutional stage" is the input of the backbone's final step, the one that pools (BackboneStage): the last
// residual block's output for ResNet and ConvNeXt, the last MBConv block's for EfficientNet (its final step is the
// 1x1 head convolution and the pooling), and for Swin the last stage's token map, which keeps its 2-D layout (see
// explainModel.ts for why Swin is explained this way).
import * as tf from '@tensorflow/tfjs-core';
import type { LevelClassifier } from '../models/classifier';
import { checkSingleImage, explainedGrade, saliencyMap, type SaliencyMap } from './saliencyMap';

export function gradCam(model: LevelClassifier, image: tf.Tensor4D, level: number, grade?: number): SaliencyMap {
  checkSingleImage(image, level, model.head.levels);
  const pass = model.backbone.beginPass(image, false);
  const pooling = pass.stageCount - 1;
  const activation = tf.tidy(() => {
    let x: tf.Tensor = image;
    for (let index = 0; index < pooling; index += 1) x = pass.runStage(index, x);
    return x;
  });
  const levels = tf.tensor1d([level], 'int32');
  try {
    if (activation.rank !== 4) {
      throw new Error(
        `Grad-CAM needs a spatial feature map, but ${model.backbone.name}'s last stage gives tokens ` +
          `[${activation.shape.join(', ')}]; explain it with attention rollout`,
      );
    }
    const logitsOf = (a: tf.Tensor) => model.head.forward(pass.runStage(pooling, a) as tf.Tensor2D, levels, false);
    const logits = tf.tidy(() => [...logitsOf(activation).dataSync()]);
    const explained = explainedGrade(logits, grade);
    const coarse = tf.tidy(() => {
      const gradient = tf.grad((a) => tf.squeeze(tf.slice(logitsOf(a), [0, explained], [1, 1])))(activation);
      const weights = tf.mean(gradient, [1, 2], true);
      return tf.relu(tf.sum(tf.mul(activation, weights), 3, true)) as tf.Tensor4D;
    });
    try {
      return saliencyMap('grad-cam', { logits, coarse }, explained, image.shape);
    } finally {
      coarse.dispose();
    }
  } finally {
    tf.dispose([activation, levels]);
  }
}
