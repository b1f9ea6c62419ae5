// Renders the chart.js configurations of chartConfigs.ts to PNG files without a browser, on @napi-rs/canvas.
// Each chart is drawn once at devicePixelRatio 1 on a white background with animation off, so the same data
// gives the same pixels on the same machine.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartType, type Plugin } from 'chart.js';
import type { CalibrationReport } from './calibration';
import type { PrecisionRecallReport } from './precisionRecall';
import type { RocReport } from './roc';
import {
  accuracyF1Config,
  confusionMatrixConfig,
  lossCurveConfig,
  precisionRecallConfig,
  reliabilityConfig,
  rocConfig,
  type EpochRecord,
} from './chartConfigs';

Chart.register(...registerables);

export interface RenderedChart {
  png: Buffer;
  /** Where chart.js put the plotting area, in pixels (for callers that annotate or probe the image). */
  chartArea: { left: number; top: number; right: number; bottom: number };
}

const whiteBackground: Plugin = {
  id: 'radlabWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export function renderChart<T extends ChartType>(
  config: ChartConfiguration<T>,
  width = 800,
  height = 600,
): RenderedChart {
  const canvas = createCanvas(width, height);
  const chart = new Chart(
    canvas as unknown as HTMLCanvasElement,
    {
      ...config,
      options: { ...config.options, animation: false, responsive: false, devicePixelRatio: 1 },
      plugins: [whiteBackground as Plugin<T>, ...(config.plugins ?? [])],
    } as ChartConfiguration<T>,
  );
  try {
    const { left, top, right, bottom } = chart.chartArea;
    return { png: canvas.toBuffer('image/png'), chartArea: { left, top, right, bottom } };
  } finally {
    chart.destroy();
  }
}

export const PLOT_FILES = {
  loss: 'loss.png',
  accuracyF1: 'accuracy_f1.png',
  confusionMatrix: 'confusion_matrix.png',
  roc: 'roc.png',
  precisionRecall: 'precision_recall.png',
  reliability: 'reliability.png',
} as const;

export interface RunPlotData {
  history: readonly EpochRecord[];
  confusion: { counts: number[][]; normalised: number[][] };
  roc: RocReport;
  precisionRecall: PrecisionRecallReport;
  calibration: CalibrationReport;
}

/** Writes the run's plots into `plotsFolder` (created if needed); returns their paths. */
export function writeRunPlots(plotsFolder: string, data: RunPlotData): Record<keyof typeof PLOT_FILES, string> {
  mkdirSync(plotsFolder, { recursive: true });
  const rendered: Record<keyof typeof PLOT_FILES, RenderedChart> = {
    loss: renderChart(lossCurveConfig(data.history)),
    accuracyF1: renderChart(accuracyF1Config(data.history)),
    confusionMatrix: renderChart(confusionMatrixConfig(data.confusion), 700, 620),
    roc: renderChart(rocConfig(data.roc), 700, 700),
    precisionRecall: renderChart(precisionRecallConfig(data.precisionRecall), 700, 700),
    reliability: renderChart(reliabilityConfig(data.calibration), 700, 700),
  };
  const paths = {} as Record<keyof typeof PLOT_FILES, string>;
  for (const key of Object.keys(PLOT_FILES) as (keyof typeof PLOT_FILES)[]) {
    paths[key] = join(plotsFolder, PLOT_FILES[key]);
    writeFileSync(paths[key], rendered[key].png);
  }
  return paths;
}
