// The localizer's geometry and scores against values worked out by hand: the square it frames, pixel ↔ fraction
// conversion, distance in mm with unequal row and column spacing, percentiles as numpy computes them, and the
// slice prior.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromFraction, localizerInput, localizerRegion, toFraction } from '../../core/localize/localizerInput';
import { percentile, pointError, summarizeErrors, type PointError } from '../../core/localize/localizerMetrics';
import { nearestSlice } from '../../core/localize/seriesSlices';
import { slicePrior } from '../../core/localize/trainLocalizer';
import type { LocalizerExample } from '../../core/localize/localizerData';
import { greyImage } from '../helpers/greyImage';

describe('localizer framing', () => {
  it('frames a square slice whole and a wide one as a square of its larger side in mm', () => {
    assert.deepEqual(localizerRegion(greyImage(256, 256, [0.8, 0.8])), { left: 0, top: 0, width: 256, height: 256 });
    // 100 rows x 200 columns at 0.5 mm: 100 x 50 mm wide, so the square is 100 mm = 200 pixels, centred on the rows.
    assert.deepEqual(localizerRegion(greyImage(100, 200, [0.5, 0.5])), { left: 0, top: -50, width: 200, height: 200 });
    // Shifted right by a tenth of the side and scaled by 1.5: 384 pixels centred at 128 + 25.6.
    assert.deepEqual(localizerRegion(greyImage(256, 256, [0.8, 0.8]), { shiftX: 0.1, shiftY: 0, scale: 1.5 }), {
      left: -38,
      top: -64,
      width: 384,
      height: 384,
    });
  });

  it('converts pixels to fractions of the square and back', () => {
    const region = { left: 10, top: 20, width: 100, height: 50 };
    assert.deepEqual(toFraction(region, 59.5, 44.5), [0.5, 0.5]);
    assert.deepEqual(toFraction(region, 9.5, 19.5), [0, 0]);
    const [x, y] = fromFraction(region, ...toFraction(region, 37.25, 61.75));
    assert.ok(Math.abs(x - 37.25) < 1e-9 && Math.abs(y - 61.75) < 1e-9);
  });

  it('gives the slice and two coordinate ramps as channels', () => {
    const input = localizerInput(
      greyImage(64, 64, [1, 1]),
      { left: 0, top: 0, width: 64, height: 64 },
      { size: 8, window: 'auto' },
    );
    assert.equal(input.length, 8 * 8 * 3);
    const at = (row: number, column: number, channel: number) => input[(row * 8 + column) * 3 + channel];
    assert.deepEqual([at(0, 0, 1), at(0, 7, 1), at(3, 7, 1)], [0, 255, 255]);
    assert.deepEqual([at(0, 5, 2), at(7, 0, 2)], [0, 255]);
    assert.equal(at(2, 0, 1), 0);
    assert.equal(at(0, 1, 1), Math.round(255 / 7));
  });
});

describe('localizer scores', () => {
  it('measures distance with the row and column spacing apart', () => {
    // dx 3 columns x 0.8 mm = 2.4 mm, dy 4 rows x 0.5 mm = 2.0 mm: 3.124 mm; a 4 mm crop reaches 2 mm each way.
    const error = pointError({ x: 10, y: 10, slice: 6 }, { x: 13, y: 14, slice: 8, instanceNumber: 9 }, [0.5, 0.8], 4);
    assert.ok(Math.abs(error.distanceMm - Math.sqrt(2.4 ** 2 + 2 ** 2)) < 1e-12);
    assert.equal(error.sliceError, 2);
    assert.equal(error.withinHalfCrop, false);
    assert.equal(
      pointError({ x: 10, y: 10, slice: -1 }, { x: 12, y: 13, slice: 0, instanceNumber: 1 }, [0.5, 0.8], 5)
        .withinHalfCrop,
      true,
    );
  });

  it('takes percentiles as numpy does (linear between order statistics)', () => {
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.ok(Math.abs(percentile([4, 1, 3, 2], 90) - 3.7) < 1e-12);
    assert.equal(percentile([7], 90), 7);
  });

  it('summarises points', () => {
    const errors: PointError[] = [1, 2, 3, 10].map((distanceMm, i) => ({
      studyId: '1',
      level: 'L1/L2',
      distanceMm,
      sliceError: i === 3 ? null : i,
      withinHalfCrop: distanceMm < 5,
    }));
    const scores = summarizeErrors(errors);
    assert.equal(scores.points, 4);
    assert.equal(scores.medianMm, 2.5);
    assert.ok(Math.abs(scores.p90Mm - 7.9) < 1e-12);
    assert.equal(scores.meanMm, 4);
    assert.equal(scores.meanSliceError, 1);
    assert.ok(Math.abs(scores.exactSlice - 1 / 3) < 1e-12);
    assert.equal(scores.withinHalfCrop, 0.75);
  });
});

describe('slice prior', () => {
  it('averages the marked slices’ offsets per level and picks the nearest slice', () => {
    const example = (offsets: number[], trueSlices: number[]) =>
      ({ series: { offsets }, trueSlices }) as unknown as LocalizerExample;
    const prior = slicePrior([example([-8, -4, 0, 4, 8], [2, 3]), example([-6, -2, 2, 6], [2, -1])], 2);
    assert.deepEqual(prior, [1, 4]);
    assert.equal(nearestSlice([-6, -2, 2, 6], 1), 2);
    assert.equal(nearestSlice([-6, -2, 2, 6], 0), 1, 'the first of two equally near slices');
  });
});
