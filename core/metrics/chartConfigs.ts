// chart.js configurations for a run's plots, as plain objects that both the Node renderer (plots.ts, PNGs in the
// run folder) and the webview's browser chart.js use, so a panel and a PNG show the same chart. Nothing here
// touches Node or the DOM. Animation is off so a render is complete (and identical) on its first frame.
//
// chart.js has no matrix chart, so the confusion matrix is a chart whose axes chart.js lays out (linear scales
// from −0.5 to 2.5 with the grade names as tick labels) and whose cells an inline plugin paints with the canvas
// API after the axes are drawn: one rectangle per cell coloured by its row-normalised value, with the count and
// the fraction written in it.

import type { ChartConfiguration, Plugin } from 'chart.js';
import { GRADES } from '../data/lsdcVocabulary';
import type { CalibrationReport } from './calibration';
import type { EpochScores } from './epochScores';
import type { PrecisionRecallReport } from './precisionRecall';
import type { RocReport } from './roc';

export interface EpochRecord {
  epoch: number;
  train: EpochScores;
  val: EpochScores;
}

const COLOURS = { train: '#1f77b4', val: '#ff7f0e', grades: ['#2ca02c', '#d62728', '#9467bd'], chance: '#999999' };

/** The heat map's colour scale: white at 0 to dark blue (#08306b) at 1, linear in RGB; rounded channels. */
export function heatColour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value));
  return [255 - v * (255 - 8), 255 - v * (255 - 48), 255 - v * (255 - 107)].map(Math.round) as [number, number, number];
}

function title(text: string) {
  return { display: true, text, font: { size: 16 } };
}

function epochCurves(
  history: readonly EpochRecord[],
  series: { label: string; split: 'train' | 'val'; key: keyof EpochScores; colour: string; dashed?: boolean }[],
  chartTitle: string,
  yLabel: string,
  yRange?: { min: number; max: number },
): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: history.map((record) => record.epoch),
      datasets: series.map((s) => ({
        label: s.label,
        data: history.map((record) => record[s.split][s.key]),
        borderColor: s.colour,
        backgroundColor: s.colour,
        borderDash: s.dashed ? [6, 4] : [],
        pointRadius: 2,
        tension: 0,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: title(chartTitle), legend: { position: 'top' } },
      scales: {
        x: { title: { display: true, text: 'epoch' } },
        y: { title: { display: true, text: yLabel }, ...(yRange ?? {}) },
      },
    },
  };
}

/** Training and validation loss per epoch. */
export function lossCurveConfig(history: readonly EpochRecord[]): ChartConfiguration<'line'> {
  return epochCurves(
    history,
    [
      { label: 'train loss', split: 'train', key: 'loss', colour: COLOURS.train },
      { label: 'val loss', split: 'val', key: 'loss', colour: COLOURS.val },
    ],
    'Loss',
    'cross-entropy',
  );
}

/** Accuracy (solid) and macro F1 (dashed), training and validation, per epoch. */
export function accuracyF1Config(history: readonly EpochRecord[]): ChartConfiguration<'line'> {
  return epochCurves(
    history,
    [
      { label: 'train accuracy', split: 'train', key: 'accuracy', colour: COLOURS.train },
      { label: 'val accuracy', split: 'val', key: 'accuracy', colour: COLOURS.val },
      { label: 'train macro F1', split: 'train', key: 'macroF1', colour: COLOURS.train, dashed: true },
      { label: 'val macro F1', split: 'val', key: 'macroF1', colour: COLOURS.val, dashed: true },
    ],
    'Accuracy and macro F1',
    'score',
    { min: 0, max: 1 },
  );
}

interface GradeSeries {
  classIndex: number;
  label: string;
  points: { x: number; y: number }[];
}

/**
 * One line per grade on the unit square, in the grades' colours, with a legend below; `diagonal` names a dashed
 * y = x reference line (chance for ROC, perfect calibration for a reliability diagram) when given.
 */
function gradeCurvesConfig(
  chartTitle: string,
  series: GradeSeries[],
  axes: { x: string; y: string },
  style: { pointRadius: number; diagonal?: string },
): ChartConfiguration<'scatter'> {
  const line = (label: string, data: { x: number; y: number }[], colour: string) => ({
    label,
    data,
    borderColor: colour,
    backgroundColor: colour,
    showLine: true,
    pointRadius: style.pointRadius,
    borderWidth: 2,
  });
  const unitAxis = (text: string) => ({ type: 'linear' as const, min: 0, max: 1, title: { display: true, text } });
  const reference =
    style.diagonal === undefined
      ? []
      : [
          {
            ...line(
              style.diagonal,
              [
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ],
              COLOURS.chance,
            ),
            borderDash: [4, 4],
            pointRadius: 0,
            borderWidth: 1,
          },
        ];
  return {
    type: 'scatter',
    data: {
      datasets: [...series.map((s) => line(s.label, s.points, COLOURS.grades[s.classIndex]!)), ...reference],
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: title(chartTitle), legend: { position: 'bottom' } },
      scales: { x: unitAxis(axes.x), y: unitAxis(axes.y) },
    },
  };
}

function fixed3(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}

/** One-vs-rest ROC curves with each grade's AUC in the legend, and the chance diagonal. */
export function rocConfig(roc: RocReport): ChartConfiguration<'scatter'> {
  return gradeCurvesConfig(
    roc.macroAuc === null ? 'ROC (one vs rest)' : `ROC (one vs rest), macro AUC ${roc.macroAuc.toFixed(3)}`,
    roc.curves
      .filter((curve) => curve.auc !== null)
      .map((curve) => ({
        classIndex: curve.classIndex,
        label: `${curve.className} (AUC ${curve.auc!.toFixed(3)})`,
        points: curve.fpr.map((x, i) => ({ x, y: curve.tpr[i]! })),
      })),
    { x: 'false positive rate', y: 'true positive rate' },
    { pointRadius: 0, diagonal: 'chance' },
  );
}

/** One-vs-rest precision-recall curves with each grade's average precision in the legend. */
export function precisionRecallConfig(pr: PrecisionRecallReport): ChartConfiguration<'scatter'> {
  return gradeCurvesConfig(
    `Precision-recall (one vs rest), macro AP ${fixed3(pr.macroAveragePrecision)}`,
    pr.curves
      .filter((curve) => curve.averagePrecision !== null)
      .map((curve) => ({
        classIndex: curve.classIndex,
        label: `${curve.className} (AP ${fixed3(curve.averagePrecision)}, prevalence ${fixed3(curve.prevalence)})`,
        points: curve.recall.map((x, i) => ({ x, y: curve.precision[i]! })),
      })),
    { x: 'recall', y: 'precision' },
    { pointRadius: 0 },
  );
}

/** Reliability diagram: per grade, observed frequency against mean predicted probability of each non-empty bin. */
export function reliabilityConfig(calibration: CalibrationReport): ChartConfiguration<'scatter'> {
  return gradeCurvesConfig(
    `Reliability (${calibration.binCount} bins), top-label ECE ${fixed3(calibration.topLabel.ece)}, ` +
      `classwise ECE ${fixed3(calibration.classwiseEce)}`,
    calibration.perGrade.map((grade) => ({
      classIndex: grade.classIndex,
      label: `${grade.className} (ECE ${fixed3(grade.ece)})`,
      points: grade.bins
        .filter((bin) => bin.count > 0)
        .map((bin) => ({ x: bin.meanPredicted!, y: bin.observedFrequency! })),
    })),
    { x: 'mean predicted probability', y: 'observed frequency' },
    { pointRadius: 3, diagonal: 'perfect calibration' },
  );
}

/** Paints the matrix cells inside the chart area laid out by the two −0.5..2.5 linear scales. */
function confusionCellsPlugin(counts: number[][], normalised: number[][]): Plugin<'scatter'> {
  return {
    id: 'radlabConfusionCells',
    afterDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      const x = scales.x!;
      const y = scales.y!;
      const size = counts.length;
      ctx.save();
      for (let t = 0; t < size; t++) {
        for (let p = 0; p < size; p++) {
          const left = x.getPixelForValue(p - 0.5);
          const right = x.getPixelForValue(p + 0.5);
          const top = y.getPixelForValue(t - 0.5);
          const bottom = y.getPixelForValue(t + 0.5);
          const value = normalised[t]![p]!;
          const [r, g, b] = heatColour(value);
          ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
          ctx.fillRect(left, top, right - left, bottom - top);
          ctx.fillStyle = value > 0.5 ? '#ffffff' : '#222222';
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          const centreX = (left + right) / 2;
          const centreY = (top + bottom) / 2;
          ctx.font = 'bold 18px sans-serif';
          ctx.fillText(String(counts[t]![p]!), centreX, centreY - 10);
          ctx.font = '14px sans-serif';
          ctx.fillText(value.toFixed(2), centreX, centreY + 12);
        }
      }
      ctx.restore();
    },
  };
}

/**
 * Confusion matrix heat map: rows are true grades (top to bottom), columns predicted grades; each cell shows its
 * count and its row-normalised fraction, and is coloured by the fraction (heatColour).
 */
export function confusionMatrixConfig(
  confusion: { counts: number[][]; normalised: number[][] },
  chartTitle = 'Confusion matrix (rows: true grade)',
): ChartConfiguration<'scatter'> {
  const gradeTick = (value: number | string) => GRADES[Number(value)] ?? '';
  const axis = (label: string, reverse: boolean) => ({
    type: 'linear' as const,
    min: -0.5,
    max: GRADES.length - 0.5,
    reverse,
    grid: { display: false },
    afterBuildTicks: (scale: { ticks: { value: number }[] }) => {
      scale.ticks = GRADES.map((_, k) => ({ value: k }));
    },
    ticks: { callback: gradeTick, font: { size: 13 } },
    title: { display: true, text: label, font: { size: 14 } },
  });
  return {
    type: 'scatter',
    data: { datasets: [{ label: 'cells', data: [] }] },
    options: {
      animation: false,
      responsive: false,
      layout: { padding: { right: 24 } },
      plugins: { title: title(chartTitle), legend: { display: false }, tooltip: { enabled: false } },
      scales: { x: axis('predicted grade', false), y: axis('true grade', true) },
    },
    plugins: [confusionCellsPlugin(confusion.counts, confusion.normalised)],
  };
}
