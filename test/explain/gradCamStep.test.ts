// Which backbone step Grad-CAM explains, from the steps' output shapes (written out by hand here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gradCamStep } from '../../core/explain/gradCam';

// A ResNet at 64 px: stem 16x16, layer1 16x16 (2 blocks), layer2 8x8 (2), layer3 4x4 (2), layer4 2x2 (2).
const resnet64 = [16, 16, 16, 8, 8, 4, 4, 2, 2].map((side) => [1, side, side, 64]);

test('auto: the deepest step whose grid is at least 7 on a side', () => {
  assert.equal(gradCamStep(resnet64, 'auto'), 4);
  // Rectangular grids count by their shorter side.
  assert.equal(
    gradCamStep(
      [
        [1, 14, 14, 8],
        [1, 7, 12, 8],
        [1, 6, 12, 8],
      ],
      'auto',
    ),
    1,
  );
});

test('auto on an input too small for any 7x7 grid: the deepest step of the largest grid', () => {
  assert.equal(
    gradCamStep(
      [
        [1, 4, 4, 8],
        [1, 4, 4, 8],
        [1, 2, 2, 8],
        [1, 1, 1, 8],
      ],
      'auto',
    ),
    1,
  );
});

test('token outputs (rank 3) are never chosen by auto; with nothing spatial, the last step (which Grad-CAM refuses)', () => {
  assert.equal(
    gradCamStep(
      [
        [1, 9, 9, 8],
        [1, 50, 32],
      ],
      'auto',
    ),
    0,
  );
  assert.equal(
    gradCamStep(
      [
        [1, 50, 32],
        [1, 50, 32],
      ],
      'auto',
    ),
    1,
  );
});

test("'last' and a step index", () => {
  assert.equal(gradCamStep(resnet64, 'last'), 8);
  assert.equal(gradCamStep(resnet64, 2), 2);
  assert.throws(() => gradCamStep(resnet64, 9), /step 9 is not one of the backbone's steps before pooling \(0 to 8\)/);
  assert.throws(() => gradCamStep(resnet64, -1), /0 to 8/);
});
