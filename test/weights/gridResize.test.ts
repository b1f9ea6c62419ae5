// Grid resizing against torch.nn.functional.interpolate and torchvision's interpolate_embeddings
// (test/fixtures/weights/interpolate.json, written by make_pth.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  resizeGrid,
  resizeRelativePositionTable,
  resizeVitPositionEmbedding,
  type GridResizeMode,
} from '../../core/models/weights/gridResize';
import { permuteAxes } from '../../core/models/torchLayout';

interface Stored {
  shape: number[];
  values: number[];
}
const REFERENCE = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'weights', 'interpolate.json'), 'utf8'),
) as {
  grid: Stored;
  cases: { mode: GridResizeMode; alignCorners: boolean; size: [number, number]; values: number[] }[];
  vitPosEmbedding: { input: Stored; output: Stored };
};

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i += 1) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= 1e-5 * (1 + Math.abs(expected[i]!)),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

describe('resizeGrid matches F.interpolate', () => {
  const [, channels, height, width] = REFERENCE.grid.shape as [number, number, number, number];
  // The reference is NCHW; resizeGrid works channels-last.
  const channelsLast = permuteAxes(Float32Array.from(REFERENCE.grid.values), [channels, height, width], [1, 2, 0]);
  for (const reference of REFERENCE.cases) {
    test(`${reference.mode}, align_corners=${reference.alignCorners}, ${height}x${width} -> ${reference.size.join('x')}`, () => {
      const [outH, outW] = reference.size;
      const out = resizeGrid(channelsLast, [height, width], [outH, outW], channels, reference);
      assertClose(permuteAxes(out, [outH, outW, channels], [2, 0, 1]), reference.values, 'resized');
    });
  }
});

describe('position tables', () => {
  test("a ViT position embedding resized as torchvision's interpolate_embeddings does", () => {
    const { input, output } = REFERENCE.vitPosEmbedding;
    const out = resizeVitPositionEmbedding(Float32Array.from(input.values), input.shape, output.shape);
    assertClose(out, output.values, 'pos_embedding');
  });

  test('a BEiT table keeps its three class-token rows and resizes the grid', () => {
    // 3x3 grid of one head holding its row index, plus rows 100, 200, 300; resized to 5x5 (align_corners=True
    // makes the expected grid exact: rows 0, 0.5, 1, 1.5, 2 times 3).
    const values = Float32Array.from([0, 0, 0, 3, 3, 3, 6, 6, 6, 100, 200, 300]);
    const out = resizeRelativePositionTable(values, [12, 1], [28, 1], {
      extraRows: 3,
      options: { mode: 'bilinear', alignCorners: true },
    });
    assert.deepEqual(
      Array.from(out.subarray(0, 25)),
      [0, 1.5, 3, 4.5, 6].flatMap((row) => [row, row, row, row, row]),
    );
    assert.deepEqual(Array.from(out.subarray(25)), [100, 200, 300]);
  });
});
