// Each composite wasm kernel against tfjs's cpu backend (an independent, straightforward loop implementation)
// on seeded random inputs across the geometries the backbones use.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { stopWasm } from '../../core/engine/wasmEngine';
import { relativeError, runOn, seededValues, useWasm } from './backendCompare';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

const tolerance = 1e-5;
let seed = 1;

async function expectSameOnBothBackends(
  name: string,
  build: () => { inputs: Record<string, [number[], Float32Array]>; run: (t: Record<string, tf.Tensor>) => tf.Tensor },
): Promise<void> {
  const { inputs, run } = build();
  const make = (): Record<string, tf.Tensor> =>
    Object.fromEntries(Object.entries(inputs).map(([k, [shape, values]]) => [k, tf.tensor(values, shape)]));
  const [expected] = await runOn('cpu', () => run(make()));
  const [actual] = await runOn('wasm', () => run(make()));
  const error = relativeError(actual!, expected!);
  assert.ok(error < tolerance, `${name}: relative error ${error.toExponential(2)} >= ${tolerance}`);
}

function data(shape: number[]): [number[], Float32Array] {
  return [
    shape,
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed++,
    ),
  ];
}

function convOutSize(x: number[], filter: number[], stride: number, pad: Pad, depthwise: boolean): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    stride,
    1,
    pad,
    undefined,
    depthwise,
  );
  return info.outShape;
}

interface ConvCase {
  kernel: number;
  stride: number;
  pad: Pad;
  batch: number;
  size: number;
}

const convCases: ConvCase[] = [];
for (const kernel of [1, 3, 7]) {
  for (const stride of [1, 2]) {
    for (const pad of [
      'same',
      'valid',
      [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    ] as Pad[]) {
      convCases.push({ kernel, stride, pad, batch: kernel === 3 ? 3 : 1, size: 11 });
    }
  }
}
convCases.push(
  { kernel: 16, stride: 16, pad: 'valid', batch: 2, size: 32 },
  { kernel: 16, stride: 16, pad: 'valid', batch: 1, size: 35 },
);
convCases.push(
  { kernel: 4, stride: 4, pad: 'valid', batch: 2, size: 16 },
  { kernel: 3, stride: 3, pad: 'same', batch: 1, size: 10 },
  // Even sizes (every phase owns the same number of rows: no cut at the end) and a stride larger than the pad.
  { kernel: 3, stride: 2, pad: 'same', batch: 2, size: 12 },
  { kernel: 5, stride: 3, pad: 'same', batch: 1, size: 13 },
  // Rows wider than the patch gather's 64-position blocks.
  { kernel: 3, stride: 1, pad: 'same', batch: 2, size: 70 },
);

const describePad = (pad: Pad): string =>
  typeof pad === 'string' ? pad : `explicit${JSON.stringify(pad.slice(1, 3))}`;

describe('wasm composite kernels match the cpu backend', () => {
  before(async () => useWasm(2));
  after(() => stopWasm());

  for (const c of convCases) {
    const label = `k${c.kernel} s${c.stride} ${describePad(c.pad)} batch ${c.batch}`;
    // 6 input channels: 4 in SIMD lanes, 2 after.
    const x = [c.batch, c.size, c.size - 1, 6];
    const filter = [c.kernel, c.kernel, 6, 5];
    test(`Conv2DBackpropFilter ${label}`, async () => {
      const dy = [...convOutSize(x, filter, c.stride, c.pad, false)];
      await expectSameOnBothBackends(label, () => ({
        inputs: { x: data(x), dy: data(dy) },
        run: (t) =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: t.x!, dy: t.dy! },
              { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: filter },
            ) as tf.Tensor,
      }));
    });
    test(`Conv2DBackpropInput ${label}`, async () => {
      const dy = [...convOutSize(x, filter, c.stride, c.pad, false)];
      await expectSameOnBothBackends(label, () => ({
        inputs: { dy: data(dy), filter: data(filter) },
        run: (t) =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: t.dy!, filter: t.filter! },
              { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: x },
            ) as tf.Tensor,
      }));
    });
  }

  // Few positions and many weights: the input gradient, and the forward pass of a filter seen for the first time, run
  // as one GEMM over patches by tap; the forward pass of a filter seen before runs in XNNPACK's convolution.
  for (const stride of [1, 2]) {
    for (const pad of [
      'same',
      'valid',
      [
        [0, 0],
        [2, 0],
        [1, 2],
        [0, 0],
      ],
    ] as Pad[]) {
      const label = `k3 s${stride} ${describePad(pad)}, 10 channels to 48`;
      const x = [2, 5, 4, 10]; // 10 channels: eight in SIMD lanes and two after them
      const filter = [3, 3, 10, 48];
      const dy = convOutSize(x, filter, stride, pad, false);
      const kernelsRun = async (run: () => tf.Tensor): Promise<string[]> =>
        (await tf.profile(run)).kernels.map((k) => k.name);
      test(`Conv2DBackpropInput as a GEMM into patches, ${label}`, async () => {
        const attrs = { strides: stride, pad, dataFormat: 'NHWC', inputShape: x };
        const run = (t: Record<string, tf.Tensor>) =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy: t.dy!, filter: t.filter! }, attrs) as tf.Tensor;
        await expectSameOnBothBackends(label, () => ({ inputs: { dy: data(dy), filter: data(filter) }, run }));
        const names = await kernelsRun(() => run({ dy: tf.ones(dy), filter: tf.ones(filter) }));
        assert.ok(names.includes('BatchMatMul') && !names.includes('Conv2D'), `${label}: ran ${names}`);
      });
      test(`Conv2D as a GEMM over patches for a new filter, XNNPACK for a known one, ${label}`, async () => {
        const conv = (t: Record<string, tf.Tensor>) =>
          tf.conv2d(t.x as tf.Tensor4D, t.filter as tf.Tensor4D, stride, pad);
        const twice = (t: Record<string, tf.Tensor>) => tf.concat([conv(t), conv(t)]);
        await expectSameOnBothBackends(label, () => ({ inputs: { x: data(x), filter: data(filter) }, run: twice }));
        const known = tf.ones(filter);
        const first = await kernelsRun(() => conv({ x: tf.ones(x), filter: known }));
        const second = await kernelsRun(() => conv({ x: tf.ones(x), filter: known }));
        assert.ok(first.includes('BatchMatMul'), `${label}: the first use ran ${first}`);
        assert.deepEqual(second, ['Conv2D'], `${label}: the second use ran ${second}`);
      });
    }
  }

  for (const kernel of [3, 7]) {
    for (const stride of [1, 2]) {
      for (const multiplier of [1, 2]) {
        for (const pad of ['same', 'valid'] as Pad[]) {
          const label = `k${kernel} s${stride} x${multiplier} ${pad}`;
          const x = [2, 12, 11, 6]; // 6 channels: four in SIMD lanes and two after them
          const filter = [kernel, kernel, 6, multiplier];
          const dy = convOutSize(x, filter, stride, pad, true);
          const attrs = { strides: stride, pad, dilations: 1 };
          test(`DepthwiseConv2dNativeBackpropFilter ${label}`, async () => {
            await expectSameOnBothBackends(label, () => ({
              inputs: { x: data(x), dy: data(dy) },
              run: (t) =>
                tf
                  .engine()
                  .runKernel(
                    'DepthwiseConv2dNativeBackpropFilter',
                    { x: t.x!, dy: t.dy! },
                    { ...attrs, filterShape: filter },
                  ) as tf.Tensor,
            }));
          });
          test(`DepthwiseConv2dNativeBackpropInput ${label}`, async () => {
            await expectSameOnBothBackends(label, () => ({
              inputs: { dy: data(dy), filter: data(filter) },
              run: (t) =>
                tf
                  .engine()
                  .runKernel(
                    'DepthwiseConv2dNativeBackpropInput',
                    { dy: t.dy!, filter: t.filter! },
                    { ...attrs, inputShape: x },
                  ) as tf.Tensor,
            }));
          });
        }
      }
    }
  }

  for (const [label, aShape, bShape, transposeA, transposeB] of [
    ['2-D', [7, 5], [5, 6], false, false],
    ['2-D transposeA', [5, 7], [5, 6], true, false],
    ['2-D transposeB', [7, 5], [6, 5], false, true],
    ['2-D both transposed', [5, 7], [6, 5], true, true],
    ['batch 3', [3, 7, 5], [3, 5, 6], false, false],
    ['batch 2x3 transposeB (attention scores)', [2, 3, 7, 5], [2, 3, 7, 5], false, true],
    ['batch against one matrix', [4, 7, 5], [5, 6], false, false],
    ['batch transposeA against one matrix', [4, 5, 7], [1, 5, 6], true, false],
  ] as [string, number[], number[], boolean, boolean][]) {
    test(`BatchMatMul ${label}`, async () => {
      await expectSameOnBothBackends(label, () => ({
        inputs: { a: data(aShape), b: data(bShape) },
        run: (t) => tf.matMul(t.a!, t.b!, transposeA, transposeB),
      }));
    });
  }

  for (const [label, shape, reps] of [
    ['broadcast of size-1 axes', [1, 1, 1, 6], [2, 5, 4, 1]],
    ['repeat of a full axis', [2, 3], [3, 2]],
    ['mixed', [3, 1, 2], [2, 4, 3]],
  ] as [string, number[], number[]][]) {
    test(`Tile ${label}`, async () => {
      await expectSameOnBothBackends(label, () => ({ inputs: { x: data(shape) }, run: (t) => tf.tile(t.x!, reps) }));
    });
  }

  test('Tile int32', async () => {
    const [expected] = await runOn('cpu', () =>
      tf.cast(tf.tile(tf.tensor([[1, -2, 3]], [1, 3], 'int32'), [2, 2]), 'float32'),
    );
    const [actual] = await runOn('wasm', () =>
      tf.cast(tf.tile(tf.tensor([[1, -2, 3]], [1, 3], 'int32'), [2, 2]), 'float32'),
    );
    assert.deepEqual(Array.from(actual!), Array.from(expected!));
    assert.deepEqual(Array.from(actual!), [1, -2, 3, 1, -2, 3, 1, -2, 3, 1, -2, 3]);
  });

  for (const [label, pool, stride, pad, shift] of [
    ['3x3 s2 same', 3, 2, 'same', 0],
    ['2x2 s2 valid', 2, 2, 'valid', 0],
    ['3x3 s2 same, all values negative', 3, 2, 'same', -3],
  ] as [string, number, number, 'same' | 'valid', number][]) {
    test(`MaxPoolGrad ${label}`, async () => {
      await expectSameOnBothBackends(label, () => ({
        // 6 channels: 4 in SIMD lanes, 2 after.
        inputs: { x: data([2, 9, 8, 6]) },
        run: (t) =>
          tf.grad((x: tf.Tensor) => {
            const pooled = tf.maxPool(x as tf.Tensor4D, pool, stride, pad);
            // Distinct upstream gradients per output, so a gradient routed to the wrong window shows.
            return tf.sum(tf.mul(pooled, tf.reshape(tf.range(1, 1 + pooled.size), pooled.shape)));
          })(tf.add(t.x!, shift)),
      }));
    });
  }

  test('MaxPoolGrad gives all-negative windows their gradient (hand-computed)', async () => {
    const [grad] = await runOn('wasm', () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(
        tf.tensor4d([-5, -1, -3, -4], [1, 2, 2, 1]),
      ),
    );
    assert.deepEqual(Array.from(grad!), [0, 1, 0, 0]);
  });

  test('MaxPoolGrad gives a tie to the first maximum, rows before columns (hand-computed)', async () => {
    // Channel 0 ties everywhere; channel 1's maximum 7 sits second and fourth. Four channels: the SIMD path.
    const x = [2, 1, 0, 0, 2, 7, 0, 0, 2, 3, 0, 0, 2, 7, 0, 0];
    const [grad] = await runOn('wasm', () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(tf.tensor4d(x, [1, 2, 2, 4])),
    );
    assert.deepEqual(Array.from(grad!), [1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  for (const [label, shape, axes, keepDims] of [
    ['over batch, height and width (batch-norm statistics), 6 channels', [3, 5, 7, 6], [0, 1, 2], false],
    ['over height and width (squeeze-excitation pooling), kept dims', [2, 9, 11, 10], [1, 2], true],
    ['over the first axis of a matrix, one column', [300, 1], [0], false],
    ['over 200,000 rows (float64 totals)', [200_000, 4], [0], false],
  ] as [string, number[], number[], boolean][]) {
    test(`Sum and Mean ${label}`, async () => {
      await expectSameOnBothBackends(`sum ${label}`, () => ({
        inputs: { x: data(shape) },
        run: (t) => tf.sum(tf.add(t.x!, 0.5), axes, keepDims),
      }));
      await expectSameOnBothBackends(`mean ${label}`, () => ({
        inputs: { x: data(shape) },
        run: (t) => tf.mean(tf.add(t.x!, 0.5), axes, keepDims),
      }));
    });
  }

  test('Sum over leading axes (hand-computed)', async () => {
    const [sums] = await runOn('wasm', () => tf.sum(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), [0, 1]));
    assert.deepEqual(Array.from(sums!), [16, 20]);
  });

  for (const [label, shape, perm] of [
    ['of a matrix, 9x7', [9, 7], [1, 0]],
    ['of a batch of matrices', [3, 5, 6], [0, 2, 1]],
    ['NHWC to NCHW (merges to a batched swap)', [2, 3, 4, 5], [0, 3, 1, 2]],
    ['with axes of size 1', [1, 6, 1, 9], [3, 2, 1, 0]],
    ['that is no block swap (the shipped kernel)', [2, 3, 4, 5], [3, 1, 2, 0]],
  ] as [string, number[], number[]][]) {
    test(`Transpose ${label}`, async () => {
      await expectSameOnBothBackends(label, () => ({
        inputs: { x: data(shape) },
        run: (t) => tf.transpose(t.x!, perm),
      }));
    });
  }

  test('Transpose int32 (hand-computed)', async () => {
    const [actual] = await runOn('wasm', () =>
      tf.cast(tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')), 'float32'),
    );
    assert.deepEqual(Array.from(actual!), [1, 4, 2, 5, 3, 6]);
  });

  test('UnsortedSegmentSum with repeated ids (gather gradient)', async () => {
    const ids = [3, 0, 3, 1, 3, 5];
    await expectSameOnBothBackends('segment sum', () => ({
      inputs: { x: data([6, 4]) },
      run: (t) => tf.unsortedSegmentSum(t.x!, tf.tensor1d(ids, 'int32'), 7),
    }));
    await expectSameOnBothBackends('gather gradient', () => ({
      inputs: { table: data([7, 4]), w: data([2, 3, 4]) },
      run: (t) =>
        tf.grad((table: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.gather(
                table,
                tf.tensor2d(
                  [
                    [3, 0, 3],
                    [1, 3, 5],
                  ],
                  [2, 3],
                  'int32',
                ),
              ),
              t.w!,
            ),
          ),
        )(t.table!),
    }));
  });
});
