// ResNet-18 written with tfjs-core ops (NHWC, batch-statistics batch norm as in training mode), for the engine
// benchmarks. Shapes follow torchvision's resnet18 so the PyTorch baseline does the same work.
import * as tf from '@tensorflow/tfjs-core';

export type Weights = Map<string, tf.Variable>;

interface Block {
  name: string;
  inC: number;
  outC: number;
  stride: number;
}

const stages = [64, 128, 256, 512];

function blocks(): Block[] {
  const out: Block[] = [];
  let inC = 64;
  stages.forEach((outC, s) => {
    for (let b = 0; b < 2; b++) {
      out.push({ name: `layer${s + 1}.${b}`, inC, outC, stride: s > 0 && b === 0 ? 2 : 1 });
      inC = outC;
    }
  });
  return out;
}

export const classes = 1000;

export function createResnet18(): Weights {
  const weights: Weights = new Map();
  const conv = (name: string, k: number, inC: number, outC: number): void => {
    weights.set(
      name,
      tf.variable(tf.randomNormal([k, k, inC, outC], 0, Math.sqrt(2 / (k * k * inC)), 'float32', 1), true, name),
    );
  };
  const bn = (name: string, c: number): void => {
    weights.set(`${name}.gamma`, tf.variable(tf.ones([c]), true, `${name}.gamma`));
    weights.set(`${name}.beta`, tf.variable(tf.zeros([c]), true, `${name}.beta`));
  };
  conv('conv1', 7, 3, 64);
  bn('bn1', 64);
  for (const b of blocks()) {
    conv(`${b.name}.conv1`, 3, b.inC, b.outC);
    bn(`${b.name}.bn1`, b.outC);
    conv(`${b.name}.conv2`, 3, b.outC, b.outC);
    bn(`${b.name}.bn2`, b.outC);
    if (b.stride !== 1 || b.inC !== b.outC) {
      conv(`${b.name}.down`, 1, b.inC, b.outC);
      bn(`${b.name}.downbn`, b.outC);
    }
  }
  weights.set('fc.w', tf.variable(tf.randomNormal([512, classes], 0, 0.01, 'float32', 2), true, 'fc.w'));
  weights.set('fc.b', tf.variable(tf.zeros([classes]), true, 'fc.b'));
  return weights;
}

export function resnet18Forward(w: Weights, x: tf.Tensor4D): tf.Tensor2D {
  const get = (name: string): tf.Tensor => w.get(name)!;
  const bn = (h: tf.Tensor4D, name: string): tf.Tensor4D => {
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return tf.add(
      tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, 1e-5))), get(`${name}.gamma`)),
      get(`${name}.beta`),
    ) as tf.Tensor4D;
  };
  const conv = (h: tf.Tensor4D, name: string, stride: number): tf.Tensor4D => {
    const k = get(name).shape[0]!;
    const pad = (k - 1) / 2;
    return tf.conv2d(
      h,
      get(name) as tf.Tensor4D,
      stride,
      pad === 0
        ? 'valid'
        : [
            [0, 0],
            [pad, pad],
            [pad, pad],
            [0, 0],
          ],
    );
  };
  let h = tf.relu(bn(conv(x, 'conv1', 2), 'bn1'));
  h = tf.maxPool(
    tf.pad(
      h,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      -Infinity,
    ),
    3,
    2,
    'valid',
  );
  for (const b of blocks()) {
    const branch = bn(
      conv(tf.relu(bn(conv(h, `${b.name}.conv1`, b.stride), `${b.name}.bn1`)), `${b.name}.conv2`, 1),
      `${b.name}.bn2`,
    );
    const shortcut = w.has(`${b.name}.down`) ? bn(conv(h, `${b.name}.down`, b.stride), `${b.name}.downbn`) : h;
    h = tf.relu(tf.add(branch, shortcut)) as tf.Tensor4D;
  }
  return tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, get('fc.w') as tf.Tensor2D), get('fc.b')) as tf.Tensor2D;
}

function lossOf(w: Weights, images: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  const logits = resnet18Forward(w, images);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, classes), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** One SGD step; returns the loss (reading it waits for the step to finish, so timings are honest). */
export function trainStep(w: Weights, images: tf.Tensor4D, labels: tf.Tensor1D, lr = 0.01): number {
  const vars = [...w.values()];
  const { value, grads } = tf.variableGrads(() => lossOf(w, images, labels), vars);
  for (const v of vars) {
    const next = tf.tidy(() => tf.sub(v, tf.mul(grads[v.name]!, lr)));
    v.assign(next);
    next.dispose();
  }
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}
