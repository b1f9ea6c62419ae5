import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { calibrationReport } from '../../core/metrics/calibration';
import {
  confusionMatrixConfig,
  lossCurveConfig,
  precisionRecallConfig,
  reliabilityConfig,
  rocConfig,
} from '../../core/metrics/chartConfigs';
import { PLOT_FILES, renderChart, writeRunPlots } from '../../core/metrics/plots';
import { oneVsRestPrecisionRecall } from '../../core/metrics/precisionRecall';
import { oneVsRestRoc } from '../../core/metrics/roc';

const folder = mkdtempSync(join(tmpdir(), 'radlab-plots-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** RGBA pixels of a PNG, decoded by @napi-rs/canvas. */
async function decode(png: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: context.getImageData(0, 0, image.width, image.height).data };
}

function pixel(image: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const offset = (Math.round(y) * image.width + Math.round(x)) * 4;
  return Array.from(image.data.slice(offset, offset + 3));
}

function greyVariance(image: { data: Uint8ClampedArray }): number {
  let sum = 0;
  let squares = 0;
  const count = image.data.length / 4;
  for (let i = 0; i < image.data.length; i += 4) {
    const grey = (image.data[i]! + image.data[i + 1]! + image.data[i + 2]!) / 3;
    sum += grey;
    squares += grey * grey;
  }
  return squares / count - (sum / count) ** 2;
}

const history = [1, 2, 3, 4].map((epoch) => ({
  epoch,
  train: { loss: 1.1 / epoch, accuracy: 0.5 + 0.1 * epoch, macroF1: 0.4 + 0.1 * epoch },
  val: { loss: 1.2 / epoch, accuracy: 0.45 + 0.1 * epoch, macroF1: 0.35 + 0.1 * epoch },
}));

describe('headless chart rendering', () => {
  it('renders a loss chart of the requested size, not blank, with a white background', async () => {
    const { png } = renderChart(lossCurveConfig(history), 640, 480);
    // PNG IHDR: width and height are big-endian at bytes 16 and 20.
    assert.equal(png.readUInt32BE(16), 640);
    assert.equal(png.readUInt32BE(20), 480);
    const image = await decode(png);
    assert.deepEqual(pixel(image, 2, 2), [255, 255, 255]);
    assert.ok(greyVariance(image) > 50, `grey variance ${greyVariance(image)}`);
  });

  it('paints confusion cells in the colour of their normalised value', async () => {
    // Row-normalised values chosen for the probe: cell (true 0, predicted 0) = 1 → #08306b = (8, 48, 107);
    // (true 1, predicted 1) = 1/4 → 255 − ¼·(247, 207, 148) = (193.25, 203.25, 218) → (193, 203, 218);
    // (true 2, predicted 0) = 0 → white.
    const counts = [
      [10, 0, 0],
      [3, 1, 0],
      [0, 2, 2],
    ];
    const normalised = [
      [1, 0, 0],
      [0.75, 0.25, 0],
      [0, 0.5, 0.5],
    ];
    const { png, chartArea } = renderChart(confusionMatrixConfig({ counts, normalised }), 600, 600);
    const image = await decode(png);
    const cellWidth = (chartArea.right - chartArea.left) / 3;
    const cellHeight = (chartArea.bottom - chartArea.top) / 3;
    // Probe 15% into a cell from its top-left corner: inside the fill, away from the centred text.
    const probe = (row: number, column: number) =>
      pixel(image, chartArea.left + (column + 0.15) * cellWidth, chartArea.top + (row + 0.15) * cellHeight);
    assert.deepEqual(probe(0, 0), [8, 48, 107]);
    assert.deepEqual(probe(1, 1), [193, 203, 218]);
    assert.deepEqual(probe(2, 0), [255, 255, 255]);
    // The count "10" is written in white around the cell centre (10 px above it).
    const centreX = chartArea.left + 0.5 * cellWidth;
    const centreY = chartArea.top + 0.5 * cellHeight - 10;
    let whitePixels = 0;
    for (let dy = -8; dy <= 8; dy++) {
      for (let dx = -12; dx <= 12; dx++)
        if (pixel(image, centreX + dx, centreY + dy).every((c) => c > 200)) whitePixels++;
    }
    assert.ok(whitePixels > 10, `${whitePixels} white text pixels at the centre of the darkest cell`);
  });

  it('puts each grade AUC into the ROC legend and leaves out grades without one', () => {
    const roc = oneVsRestRoc(
      [0, 1, 0, 1],
      [
        [0.7, 0.2, 0.1],
        [0.4, 0.5, 0.1],
        [0.6, 0.3, 0.1],
        [0.1, 0.6, 0.3],
      ],
    );
    const labels = rocConfig(roc).data.datasets.map((dataset) => dataset.label);
    assert.deepEqual(labels, ['Normal/Mild (AUC 1.000)', 'Moderate (AUC 1.000)', 'chance']);
  });

  it('draws a reliability point per non-empty bin and names each grade with its ECE', () => {
    // Grade 0 probabilities 0.85 (true), 0.15 (false): bins 8 and 1, a gap of 0.15 each → ECE 0.15.
    const calibration = calibrationReport(
      [0, 1],
      [
        [0.85, 0.1, 0.05],
        [0.15, 0.8, 0.05],
      ],
    );
    const datasets = reliabilityConfig(calibration).data.datasets;
    assert.equal(datasets[0]!.label, 'Normal/Mild (ECE 0.150)');
    assert.deepEqual(datasets[0]!.data, [
      { x: 0.15, y: 0 },
      { x: 0.85, y: 1 },
    ]);
    assert.equal(datasets.at(-1)!.label, 'perfect calibration');
  });

  it('leaves a grade without positives out of the precision-recall chart', () => {
    const pr = oneVsRestPrecisionRecall(
      [0, 1],
      [
        [0.6, 0.3, 0.1],
        [0.2, 0.7, 0.1],
      ],
    );
    const labels = precisionRecallConfig(pr).data.datasets.map((dataset) => dataset.label);
    assert.deepEqual(labels, ['Normal/Mild (AP 1.000, prevalence 0.500)', 'Moderate (AP 1.000, prevalence 0.500)']);
  });

  it('renders identical PNGs for identical data', () => {
    const first = renderChart(lossCurveConfig(history)).png;
    const second = renderChart(lossCurveConfig(history)).png;
    assert.ok(first.equals(second));
  });

  it('writes every run plot', async () => {
    const labels = [0, 1, 2, 0, 1, 2];
    const probabilities = [
      [0.6, 0.3, 0.1],
      [0.2, 0.5, 0.3],
      [0.1, 0.3, 0.6],
      [0.4, 0.4, 0.2],
      [0.5, 0.3, 0.2],
      [0.2, 0.2, 0.6],
    ];
    const roc = oneVsRestRoc(labels, probabilities);
    const calibration = calibrationReport(labels, probabilities);
    const precisionRecall = oneVsRestPrecisionRecall(labels, probabilities);
    const confusion = {
      counts: [
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 2],
      ],
      normalised: [
        [1, 0, 0],
        [0.5, 0.5, 0],
        [0, 0, 1],
      ],
    };
    const paths = writeRunPlots(join(folder, 'plots'), { history, confusion, roc, precisionRecall, calibration });
    assert.deepEqual(Object.keys(paths).sort(), Object.keys(PLOT_FILES).sort());
    for (const path of Object.values(paths)) {
      const image = await decode(readFileSync(path));
      assert.ok(greyVariance(image) > 50, `${path} looks blank`);
    }
  });
});
