// The run panel page: live curves, per-class metrics, confusion matrices, ROC and precision-recall curves, the
// reliability diagram and the prediction gallery.
import './panels.css';
import { lineChart, setSeries, type LineSeries } from './charts';
import type { ConfusionMatrices } from '../core/metrics/classification';
import type { RunMetricsFile } from '../core/run/metricsFile';
import {
  confidenceOf,
  FromWebview,
  GALLERY_SORTS,
  GRADE_NAMES,
  lossOf,
  ToWebview,
  isRunHostMessage,
  type GalleryItem,
  type GalleryPage,
  type GalleryQuery,
  type GallerySort,
  type GradeName,
  type RunHostMessage,
  type RunPageMessage,
  type RunPanelModel,
} from './contract';
import { confusionRows } from './confusionTable';
import { epochScrubber } from './epochScrubber';
import { byId, fillGrid, formatDuration, formatNumber, h } from './dom';
import { connectToHost, showError } from './pageConnection';
import { saliencyDialog } from './saliencyView';
import { registerToolkit } from './toolkit';

registerToolkit();

/** The first option of a filter, which lets every row through. */
function anyOption(): HTMLElement {
  return h('vscode-option', { value: '' }, 'All');
}

function gradeFilter(id: string, label: string): HTMLElement {
  return h(
    'vscode-dropdown',
    { id, 'aria-label': label },
    anyOption(),
    ...GRADE_NAMES.map((grade) => h('vscode-option', { value: grade }, grade)),
  );
}

const app = byId('app');
app.append(
  h(
    'header',
    { id: 'run-summary', 'aria-label': 'Run summary' },
    h('h1', { id: 'run-title' }, 'Run'),
    h('p', { id: 'run-state', role: 'status' }),
    h('p', { id: 'run-progress' }),
  ),
  h(
    'section',
    { 'aria-label': 'Training curves', class: 'charts' },
    h('div', { class: 'chart' }, h('canvas', { id: 'chart-loss', 'aria-label': 'Loss by epoch' })),
    h('div', { class: 'chart' }, h('canvas', { id: 'chart-accuracy', 'aria-label': 'Accuracy by epoch' })),
    h('div', { class: 'chart' }, h('canvas', { id: 'chart-f1', 'aria-label': 'Macro-F1 by epoch' })),
  ),
  h('section', { 'aria-label': 'Test metrics' }, h('h2', {}, 'Test metrics'), h('p', { id: 'test-headline' })),
  // Two by two where the panel is wide enough, one column where not: the tables beside ROC, then precision-recall
  // beside the reliability diagram. The tables share a cell, so it is about as tall as the chart beside it.
  h(
    'div',
    { id: 'results-grid', class: 'results-grid' },
    h(
      'div',
      { class: 'results-tables' },
      h(
        'section',
        { 'aria-label': 'Confusion matrix' },
        h('h2', {}, 'Confusion matrix (test)'),
        h(
          'div',
          { class: 'toolbar' },
          h('vscode-dropdown', { id: 'confusion-level', 'aria-label': 'Level' }),
          h('vscode-checkbox', { id: 'confusion-normalised' }, 'Normalised (rows sum to 1)'),
        ),
        h('table', {
          id: 'confusion-matrix',
          'aria-label': 'Confusion matrix, rows true grade, columns predicted grade',
        }),
      ),
      h(
        'section',
        { 'aria-label': 'Per-grade metrics' },
        h('vscode-data-grid', {
          id: 'metrics-table',
          'aria-label': 'Per-class metrics',
          'grid-template-columns': '2fr 1fr 1fr 1fr 1fr',
        }),
      ),
    ),
    h(
      'section',
      { 'aria-label': 'ROC curves' },
      h(
        'div',
        { class: 'chart square' },
        h('canvas', { id: 'chart-roc', 'aria-label': 'ROC curves, one versus rest' }),
      ),
      h('p', { id: 'roc-summary', class: 'hint' }),
    ),
    h(
      'section',
      { 'aria-label': 'Precision-recall curves' },
      h(
        'div',
        { class: 'chart square' },
        h('canvas', { id: 'chart-pr', 'aria-label': 'Precision-recall curves, one versus rest' }),
      ),
      h('p', { id: 'pr-summary', class: 'hint' }),
    ),
    h(
      'section',
      { 'aria-label': 'Reliability diagram' },
      h(
        'div',
        { class: 'chart square' },
        h('canvas', { id: 'chart-reliability', 'aria-label': 'Reliability diagram, one versus rest' }),
      ),
      h('p', { id: 'calibration-summary', class: 'hint' }),
    ),
  ),
  h(
    'section',
    { 'aria-label': 'Test predictions' },
    h('h2', { id: 'gallery-title' }, 'Test predictions'),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'gallery-sort' }, 'Sort'),
      h(
        'vscode-dropdown',
        { id: 'gallery-sort', 'aria-label': 'Sort predictions' },
        h('vscode-option', { value: 'file' }, 'As in predictions.csv'),
        h('vscode-option', { value: 'confidence' }, 'Confidence, highest first'),
        h('vscode-option', { value: 'loss' }, 'Loss, highest first'),
      ),
      h('label', { for: 'gallery-true' }, 'True'),
      gradeFilter('gallery-true', 'Filter by true grade'),
      h('label', { for: 'gallery-predicted' }, 'Predicted'),
      gradeFilter('gallery-predicted', 'Filter by predicted grade'),
      h('label', { for: 'gallery-level' }, 'Level'),
      h('vscode-dropdown', { id: 'gallery-level', 'aria-label': 'Filter by level' }, anyOption()),
      h('vscode-checkbox', { id: 'gallery-mistakes' }, 'Mistakes only'),
    ),
    h(
      'div',
      { class: 'toolbar' },
      h('vscode-button', { id: 'gallery-prev', appearance: 'secondary', 'aria-label': 'Previous page' }, 'Previous'),
      h('span', { id: 'gallery-page-label', role: 'status' }),
      h('vscode-button', { id: 'gallery-next', appearance: 'secondary', 'aria-label': 'Next page' }, 'Next'),
    ),
    h('p', { id: 'gallery-note', class: 'hint', role: 'note' }),
    h('ul', { id: 'gallery', class: 'gallery', 'aria-label': 'Prediction gallery' }),
  ),
  h(
    'section',
    { id: 'slice-view', class: 'overlay', hidden: '', role: 'dialog', 'aria-label': 'Slice' },
    h('h2', { id: 'slice-title' }),
    h('vscode-button', { id: 'slice-close' }, 'Close'),
    h('vscode-button', { id: 'slice-explain', appearance: 'secondary' }, 'Explain'),
    h('vscode-button', { id: 'slice-dicom', appearance: 'secondary' }, 'Open in DICOM viewer'),
    h('img', { id: 'slice-image', alt: 'Labelled slice' }),
  ),
  h('section', { 'aria-label': 'Problems' }, h('ul', { id: 'problems', class: 'problems' })),
);

/** A chart over [0, 1] on both axes with the legend below: ROC, precision-recall, reliability. */
function unitSquareChart(id: string, title: string, xTitle: string, yTitle: string) {
  const chart = lineChart(byId<HTMLCanvasElement>(id), title, xTitle, yTitle, { min: 0, max: 1 }, undefined, 'bottom');
  Object.assign(chart.options.scales!.x!, { min: 0, max: 1 });
  return chart;
}

/** The dashed y = x reference: chance for ROC, perfect calibration for the reliability diagram. */
function diagonal(label: string): LineSeries {
  return {
    label,
    points: [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
    dashed: true,
    reference: true,
  };
}

const charts = {
  loss: lineChart(byId<HTMLCanvasElement>('chart-loss'), 'Loss', 'Epoch', 'Loss', undefined, 1),
  accuracy: lineChart(
    byId<HTMLCanvasElement>('chart-accuracy'),
    'Accuracy',
    'Epoch',
    'Accuracy',
    { min: 0, max: 1 },
    1,
  ),
  f1: lineChart(byId<HTMLCanvasElement>('chart-f1'), 'Macro-F1', 'Epoch', 'Macro-F1', { min: 0, max: 1 }, 1),
  roc: unitSquareChart('chart-roc', 'ROC (test, one vs rest)', 'False positive rate', 'True positive rate'),
  precisionRecall: unitSquareChart('chart-pr', 'Precision-recall (test, one vs rest)', 'Recall', 'Precision'),
  reliability: unitSquareChart(
    'chart-reliability',
    'Reliability (test)',
    'Mean predicted probability',
    'Observed frequency',
  ),
};

let model: RunPanelModel | null = null;
const gallery = { page: 0, total: 0, pageSize: 12 };

function renderSummary(m: RunPanelModel): void {
  const s = m.summary;
  byId('run-title').textContent = `${s.experiment || 'Run'} · ${s.backbone || '?'} · ${s.runId || s.runDir}`;
  const counts =
    s.counts === null ? '' : ` · ${s.counts.train}/${s.counts.val}/${s.counts.test} train/val/test samples`;
  byId('run-state').textContent =
    `${s.state}${s.error ? `: ${s.error}` : ''} · ${s.engine || 'engine ?'} on ${s.device || 'device ?'} · ${formatDuration(s.durationSeconds)}${counts}`;
  byId('run-state').dataset.state = s.state;
  const p = m.progress;
  byId('run-progress').textContent =
    p === null
      ? ''
      : `Epoch ${p.epoch}${p.epochs === null ? '' : `/${p.epochs}`} · step ${p.step}/${p.steps} · loss ${formatNumber(p.loss)} · ${p.imagesPerSecond.toFixed(1)} img/s · ETA ${formatDuration(p.etaSeconds)}`;
}

function renderCurves(m: RunPanelModel): void {
  const curve = (pick: (scores: RunPanelModel['history'][number]['train']) => number): LineSeries[] => [
    { label: 'train', points: m.history.map((p) => ({ x: p.epoch, y: pick(p.train) })), colour: 0 },
    { label: 'validation', points: m.history.map((p) => ({ x: p.epoch, y: pick(p.val) })), colour: 1 },
  ];
  setSeries(
    charts.loss,
    curve((s) => s.loss),
  );
  setSeries(
    charts.accuracy,
    curve((s) => s.accuracy),
  );
  setSeries(
    charts.f1,
    curve((s) => s.macroF1),
  );
}

function renderMetrics(metrics: RunMetricsFile | null): void {
  const test = metrics?.test;
  byId('test-headline').textContent =
    test === undefined
      ? 'No test metrics yet: results/metrics.json is written when the run ends.'
      : `${test.samples} test samples, best epoch ${metrics!.bestEpoch} by ${metrics!.selectedBy} · accuracy ${formatNumber(test.accuracy)} · macro-F1 ${formatNumber(test.macro.f1)} · ` +
        `weighted F1 ${formatNumber(test.weighted.f1)} · macro AUC ${formatNumber(test.roc.macroAuc)} · RSNA weighted log loss ${formatNumber(test.rsna.score)}`;
  const averaged = (name: string, scores: { precision: number; recall: number; f1: number }) => [
    name,
    formatNumber(scores.precision),
    formatNumber(scores.recall),
    formatNumber(scores.f1),
    String(test!.samples),
  ];
  fillGrid(
    byId('metrics-table'),
    ['Grade', 'Precision', 'Recall', 'F1', 'Support'],
    test === undefined
      ? []
      : [
          ...test.perClass.map((row, k) => [
            GRADE_NAMES[k]!,
            formatNumber(row.precision),
            formatNumber(row.recall),
            formatNumber(row.f1),
            String(row.support),
          ]),
          averaged('Macro average', test.macro),
          averaged('Weighted average', test.weighted),
        ],
  );
  // Legends name the grades only, so they stay on one line in a narrow chart; the scores go in the line below.
  const rocCurves: LineSeries[] = (test?.roc.curves ?? []).map((curve) => ({
    label: curve.className,
    points: curve.fpr.map((x, i) => ({ x, y: curve.tpr[i]! })),
  }));
  // A classifier that guesses lies on the diagonal: the curves are read against it.
  setSeries(charts.roc, rocCurves.length > 0 ? [...rocCurves, diagonal('Chance')] : []);
  byId('roc-summary').textContent =
    test === undefined
      ? ''
      : `AUC ${test.roc.curves.map((curve) => `${curve.className} ${formatNumber(curve.auc)}`).join(' · ')} · macro ${formatNumber(test.roc.macroAuc)} · chance 0.500`;
  renderCalibration(metrics);
}

/** Precision-recall curves and the reliability diagram; run folders from before they were written have neither. */
function renderCalibration(metrics: RunMetricsFile | null): void {
  const test = metrics?.test;
  const precisionRecall = (test?.precisionRecall?.curves ?? []).filter((curve) => curve.averagePrecision !== null);
  setSeries(
    charts.precisionRecall,
    precisionRecall.map((curve) => ({
      label: curve.className,
      points: curve.recall.map((x, i) => ({ x, y: curve.precision[i]! })),
      // A straight line from (0, 0) to the first retrieved positive would draw precision nobody measured.
      stepsBefore: true,
    })),
  );
  byId('pr-summary').textContent =
    precisionRecall.length === 0
      ? ''
      : `Average precision ${precisionRecall.map((curve) => `${curve.className} ${formatNumber(curve.averagePrecision)}`).join(' · ')}`;
  const calibration = test?.calibration;
  const bins: LineSeries[] = (calibration?.perGrade ?? []).map((grade) => ({
    label: grade.className,
    points: grade.bins
      .filter((bin) => bin.count > 0)
      .map((bin) => ({ x: bin.meanPredicted!, y: bin.observedFrequency! })),
  }));
  // 'Ideal': a longer name would push the legend onto a second line in a narrow chart.
  setSeries(charts.reliability, bins.length > 0 ? [...bins, diagonal('Ideal')] : []);
  const scaling = metrics?.temperatureScaling;
  byId('calibration-summary').textContent =
    calibration === undefined
      ? ''
      : `ECE ${calibration.perGrade.map((grade) => `${grade.className} ${formatNumber(grade.ece)}`).join(' · ')} · ${calibration.binCount} equal-width bins · top-label ECE ${formatNumber(calibration.topLabel.ece)} · classwise ECE ${formatNumber(calibration.classwiseEce)}` +
        (scaling === undefined
          ? ''
          : ` · temperature ${formatNumber(scaling.temperature)}: RSNA weighted log loss ${formatNumber(scaling.test.before.score)} → ${formatNumber(scaling.test.after.score)}, top-label ECE ${formatNumber(scaling.test.before.topLabelEce)} → ${formatNumber(scaling.test.after.topLabelEce)}`);
}

function selectedValue(id: string): string {
  return (byId(id) as HTMLElement & { value: string }).value;
}

function isChecked(id: string): boolean {
  return (byId(id) as HTMLElement & { checked: boolean }).checked;
}

/** The levels each level dropdown lists, by its id. */
const shownLevels = new Map<string, string>();

/** A dropdown's options: `first`, then one per level. Rebuilding them resets it, so only when the levels change. */
function levelOptions(id: string, first: HTMLElement, levels: readonly string[]): void {
  if (shownLevels.get(id) === levels.join('|')) return;
  shownLevels.set(id, levels.join('|'));
  byId(id).replaceChildren(first, ...levels.map((level) => h('vscode-option', { value: level }, level)));
}

function renderConfusion(): void {
  const test = model?.metrics?.test;
  levelOptions(
    'confusion-level',
    h('vscode-option', { value: 'all' }, 'All levels'),
    Object.keys(test?.perLevel ?? {}),
  );
  const level = selectedValue('confusion-level');
  const pair: ConfusionMatrices | undefined =
    level === 'all' || level === '' ? test?.confusion : test?.perLevel?.[level]?.confusion;
  const table = byId('confusion-matrix');
  if (pair === undefined) {
    table.replaceChildren(
      h('caption', {}, 'No confusion matrix yet: the run writes it when it has tested its best checkpoint.'),
    );
    return;
  }
  const normalised = isChecked('confusion-normalised');
  table.replaceChildren(
    ...confusionRows(
      `Rows: true grade · columns: predicted grade${normalised ? ' · each row sums to 1' : ''}`,
      pair,
      normalised,
    ),
  );
}

/** What the gallery's controls ask for, on `page`. */
function galleryQuery(page: number): GalleryQuery {
  const grade = (id: string) => (selectedValue(id) === '' ? null : (selectedValue(id) as GradeName));
  return {
    page,
    sort: (GALLERY_SORTS as readonly string[]).includes(selectedValue('gallery-sort'))
      ? (selectedValue('gallery-sort') as GallerySort)
      : 'file',
    mistakesOnly: isChecked('gallery-mistakes'),
    trueGrade: grade('gallery-true'),
    predictedGrade: grade('gallery-predicted'),
    level: selectedValue('gallery-level') === '' ? null : selectedValue('gallery-level'),
  };
}

/** A tile: the crop the model saw, its level and grades written over it on a dark band, the scores below. */
function galleryTile(item: GalleryItem, inputSize: number | null): HTMLElement {
  const wrong = item.trueLabel !== item.predictedLabel;
  const probabilities = GRADE_NAMES.map((grade, k) => `${grade} ${(item.probabilities[k]! * 100).toFixed(0)}%`).join(
    ' · ',
  );
  const picture =
    item.crop !== null
      ? h('img', {
          src: item.crop,
          alt: `The model's ${inputSize ?? ''}-pixel input`,
          title: 'What the model saw; click for the whole slice',
        })
      : h('span', { class: 'image-error' }, item.imageError ?? '');
  const button = h(
    'button',
    {
      class: 'gallery-item',
      'data-row-id': item.rowId,
      'data-correct': String(!wrong),
      'aria-label': `${item.rowId}: true ${item.trueLabel}, predicted ${item.predictedLabel}`,
    },
    h(
      'span',
      { class: 'tile-image' },
      picture,
      h(
        'span',
        { class: 'tile-label' },
        `${item.level} · ${item.trueLabel}${wrong ? ` → ${item.predictedLabel}` : ''}`,
      ),
    ),
    h('span', { class: 'caption' }, `${item.studyId} ${item.level}`),
    h('span', { class: wrong ? 'grade wrong' : 'grade' }, `true ${item.trueLabel} · predicted ${item.predictedLabel}`),
    h(
      'span',
      { class: 'scores' },
      `confidence ${formatNumber(confidenceOf(item))} · loss ${formatNumber(lossOf(item))}`,
    ),
    h('span', { class: 'probabilities' }, probabilities),
  );
  button.addEventListener('click', () => {
    shownSliceRow = item.rowId;
    send({ type: FromWebview.OpenSlice, rowId: item.rowId });
  });
  return h('li', {}, button, tileActions(item.rowId));
}

/** The row whose whole slice the enlarged view shows, for its Explain and DICOM viewer buttons. */
let shownSliceRow: string | null = null;

function openInDicomViewer(rowId: string): void {
  send({ type: FromWebview.OpenInDicomViewer, rowId });
}

function tileActions(rowId: string): HTMLElement {
  const explain = h(
    'vscode-button',
    { appearance: 'secondary', class: 'explain-item', 'aria-label': `Explain ${rowId}` },
    'Explain',
  );
  const dicom = h(
    'vscode-button',
    { appearance: 'secondary', class: 'open-dicom', 'aria-label': `Open ${rowId} in the DICOM viewer` },
    'DICOM',
  );
  explain.addEventListener('click', () => saliency.request(rowId, null));
  dicom.addEventListener('click', () => openInDicomViewer(rowId));
  return h('span', { class: 'tile-actions' }, explain, dicom);
}

function renderGallery(page: GalleryPage): void {
  Object.assign(gallery, { page: page.query.page, total: page.total, pageSize: page.pageSize });
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  byId('gallery-page-label').textContent = `Page ${page.query.page + 1} of ${pages} · ${page.total} predictions`;
  byId('gallery-note').textContent =
    page.imagesUnavailable ??
    (page.inputSize === null
      ? ''
      : `Each tile is the ${page.inputSize}×${page.inputSize}-pixel input the model saw; click one for the whole slice.`);
  byId('gallery-prev').toggleAttribute('disabled', page.query.page === 0);
  byId('gallery-next').toggleAttribute('disabled', page.query.page + 1 >= pages);
  byId('gallery').replaceChildren(...page.items.map((item) => galleryTile(item, page.inputSize)));
}

function requestGallery(page: number): void {
  send({ type: FromWebview.GalleryPage, query: galleryQuery(page) });
}

function handle(message: RunHostMessage): void {
  switch (message.type) {
    case ToWebview.RunModel: {
      const first = model === null;
      const hadMetrics = model !== null && model.metrics !== null;
      model = message.model;
      app.setAttribute('aria-busy', 'false');
      renderSummary(model);
      renderCurves(model);
      renderMetrics(model.metrics);
      renderConfusion();
      scrubber.update(model);
      levelOptions('gallery-level', anyOption(), model.predictions.levels);
      byId('problems').replaceChildren(...model.problems.map((problem) => h('li', {}, problem)));
      // The gallery is fetched when the predictions first exist (at the end of a live run, or at once).
      // The host's gallery is the test predictions again once the run has ended and written them.
      if (first || (!hadMetrics && model.metrics !== null)) {
        byId('gallery-title').textContent = 'Test predictions';
        requestGallery(0);
      }
      break;
    }
    case ToWebview.GalleryPage:
      renderGallery(message.gallery);
      break;
    case ToWebview.EpochEvidence:
      scrubber.show(message.evidence);
      // The host has switched the gallery to the epoch's validation rows.
      if (message.evidence.gallery && message.evidence.summary !== null) {
        byId('gallery-title').textContent = `Validation predictions, epoch ${message.evidence.epoch}`;
        requestGallery(0);
      }
      break;
    case ToWebview.SliceImage:
      byId('slice-title').textContent = message.slice.title;
      byId<HTMLImageElement>('slice-image').src = message.slice.png;
      byId('slice-view').hidden = false;
      break;
    case ToWebview.Saliency:
      void saliency.show(message.saliency).catch((error: Error) => showError(error.message));
      break;
    case ToWebview.Error:
      showError(message.message);
      saliency.failed(message.message);
      break;
  }
}

const send = connectToHost<RunHostMessage, RunPageMessage>(isRunHostMessage, handle);
const saliency = saliencyDialog(send);
app.append(saliency.element);
const scrubber = epochScrubber(send);
byId('results-grid').after(scrubber.element);

for (const id of ['confusion-level', 'confusion-normalised']) byId(id).addEventListener('change', renderConfusion);
// Any change of order or filter starts again from the first page.
for (const id of ['gallery-sort', 'gallery-true', 'gallery-predicted', 'gallery-level', 'gallery-mistakes']) {
  byId(id).addEventListener('change', () => requestGallery(0));
}
byId('gallery-prev').addEventListener('click', () => gallery.page > 0 && requestGallery(gallery.page - 1));
byId('gallery-next').addEventListener(
  'click',
  () => (gallery.page + 1) * gallery.pageSize < gallery.total && requestGallery(gallery.page + 1),
);
byId('slice-close').addEventListener('click', () => (byId('slice-view').hidden = true));
byId('slice-explain').addEventListener('click', () => shownSliceRow !== null && saliency.request(shownSliceRow, null));
byId('slice-dicom').addEventListener('click', () => shownSliceRow !== null && openInDicomViewer(shownSliceRow));
