// The DICOM viewer page: the image on a canvas, windowed here from the modality values the host sends, fitted and
// centred in the panel, with pan by drag, zoom by Ctrl+wheel, window/level by Shift+drag or right-drag, presets
// for the modality, stepping through the series (the title names the slice shown) and the tags table. The
// dataset's labelled points and the predicted levels are drawn on an overlay canvas the size of the panel, so
// they follow zoom and pan while their rings and text keep one screen size.
import './panels.css';
import {
  FromWebview,
  ToWebview,
  isDicomHostMessage,
  type DicomFocus,
  type DicomHostMessage,
  type DicomInstance,
  type DicomPageMessage,
  type SeriesPoints,
  type WindowLevel,
} from './contract';
import { byId, fillGrid, h } from './dom';
import { connectToHost, showError } from './pageConnection';
import { registerToolkit } from './toolkit';
import { drawFocus, drawSlicePoints, focusText, pointsSummary } from './slicePoints';
import { dragWindow, fitZoom, windowToRgba } from './windowLevel';

registerToolkit();

const app = byId('app');
app.append(
  h('h2', { id: 'dicom-title', class: 'dicom-title', role: 'status' }),
  h(
    'div',
    { class: 'toolbar' },
    h('vscode-button', { id: 'instance-prev', appearance: 'secondary', 'aria-label': 'Previous instance' }, '◀'),
    h('span', { id: 'instance-label', role: 'status' }),
    h('vscode-button', { id: 'instance-next', appearance: 'secondary', 'aria-label': 'Next instance' }, '▶'),
    h('vscode-dropdown', { id: 'window-preset', 'aria-label': 'Window preset' }),
    h('span', { id: 'window-readout', role: 'status' }),
    h('vscode-button', { id: 'zoom-out', appearance: 'secondary', 'aria-label': 'Zoom out' }, '−'),
    h('span', { id: 'zoom-label' }),
    h('vscode-button', { id: 'zoom-in', appearance: 'secondary', 'aria-label': 'Zoom in' }, '+'),
    h('vscode-button', { id: 'zoom-fit', appearance: 'secondary', 'aria-label': 'Fit to the panel' }, 'Fit'),
    h('vscode-checkbox', { id: 'show-points', checked: '' }, 'Points'),
    h('vscode-button', { id: 'predict-study', 'aria-label': 'Predict this study with trained runs' }, 'Predict Study'),
  ),
  h('p', { id: 'points-status', class: 'hint', role: 'status' }),
  h(
    'div',
    { id: 'dicom-viewer', class: 'viewer' },
    h('canvas', {
      id: 'dicom-canvas',
      'aria-label': 'DICOM image; drag to pan, Shift+drag or right-drag to change window and level',
    }),
    h('canvas', { id: 'dicom-points', 'aria-hidden': 'true' }),
  ),
  // The points drawn on this slice as text too: a canvas says nothing to a screen reader.
  h('ul', { id: 'slice-points', class: 'hint', 'aria-label': 'Points on this slice' }),
  h(
    'p',
    { class: 'hint' },
    'Drag: pan. Shift+drag or right-drag: window (left/right) and level (up/down). Ctrl+wheel: zoom. ' +
      'Wheel or arrow keys: step through the series.',
  ),
  h('vscode-data-grid', { id: 'dicom-tags', 'aria-label': 'DICOM tags', 'grid-template-columns': '2fr 1fr 0.5fr 3fr' }),
);

const viewer = byId('dicom-viewer');
const canvas = byId<HTMLCanvasElement>('dicom-canvas');
const presetPicker = byId('window-preset') as HTMLElement & { value: string };
const context = canvas.getContext('2d')!;
const overlay = byId<HTMLCanvasElement>('dicom-points');
const pointsToggle = byId('show-points') as HTMLElement & { checked: boolean };
let points: SeriesPoints = { labelled: [], predicted: [], labelSource: null, predictionSource: null, problems: [] };
let instance: DicomInstance | null = null;
/** A run's prediction opened from its gallery, drawn on its own slice only. */
let focus: DicomFocus | null = null;
let window: WindowLevel = { center: 0, width: 1 };
let image: ImageData | null = null;
/** Screen pixels per image row; in fit mode it follows the panel's size. */
let zoom = 1;
let fitMode = true;
/** Offset of the image centre from the viewer's centre, in screen pixels. */
let pan = { x: 0, y: 0 };
let presetKey = '';

function draw(): void {
  if (instance === null || image === null) return;
  windowToRgba(instance.pixels, window, instance.invert, image.data);
  context.putImageData(image, 0, 0);
  byId('window-readout').textContent = `C ${window.center.toFixed(1)} · W ${window.width.toFixed(1)}`;
}

/** The image's size on screen at zoom 1: non-square pixels stretch columns by the column/row spacing ratio. */
function naturalSize(shown: DicomInstance): { width: number; height: number } {
  const [rowSpacing, columnSpacing] = shown.pixelSpacing ?? [1, 1];
  return { width: shown.columns * (columnSpacing / rowSpacing), height: shown.rows };
}

function layout(): void {
  if (instance === null) return;
  const natural = naturalSize(instance);
  if (fitMode) {
    zoom = fitZoom(natural, { width: viewer.clientWidth, height: viewer.clientHeight });
    pan = { x: 0, y: 0 };
  }
  canvas.style.width = `${natural.width * zoom}px`;
  canvas.style.height = `${natural.height * zoom}px`;
  canvas.style.transform = `translate(calc(-50% + ${pan.x}px), calc(-50% + ${pan.y}px))`;
  byId('zoom-label').textContent = `${Math.round(zoom * 100)} %`;
  drawPoints();
}

/** Redraws the overlay: the points on the slice shown, placed where the image now lies in the panel. */
function drawPoints(): void {
  if (instance === null) return;
  const ratio = globalThis.devicePixelRatio || 1;
  const panel = { width: viewer.clientWidth, height: viewer.clientHeight };
  overlay.width = Math.round(panel.width * ratio);
  overlay.height = Math.round(panel.height * ratio);
  const pen = overlay.getContext('2d')!;
  pen.setTransform(ratio, 0, 0, ratio, 0, 0);
  pen.clearRect(0, 0, panel.width, panel.height);
  const natural = naturalSize(instance);
  const placement = {
    left: panel.width / 2 + pan.x - (natural.width * zoom) / 2,
    top: panel.height / 2 + pan.y - (natural.height * zoom) / 2,
    scaleX: (natural.width * zoom) / instance.columns,
    scaleY: (natural.height * zoom) / instance.rows,
  };
  const onSlice = (list: SeriesPoints['labelled']) =>
    pointsToggle.checked ? list.filter((point) => point.instanceNumber === instance!.instanceNumber) : [];
  const [labelled, predicted] = [onSlice(points.labelled), onSlice(points.predicted)];
  drawSlicePoints(pen, placement, panel, labelled, predicted);
  const shownFocus = focus !== null && pointsToggle.checked && focus.instanceNumber === instance.instanceNumber;
  if (shownFocus) drawFocus(pen, placement, panel, focus!);
  byId('slice-points').replaceChildren(
    ...labelled.map((point) => h('li', { class: 'labelled-point' }, `Label: ${point.label}`)),
    ...predicted.map((point) => h('li', { class: 'predicted-point' }, `Predicted: ${point.label}`)),
    ...(shownFocus ? [h('li', { class: 'focus-point' }, `Run ${focus!.source}: ${focusText(focus!)}`)] : []),
  );
  byId('points-status').textContent = pointsSummary(points, instance.instanceNumber);
}

/** Zooms by `factor` keeping the image point under (`x`, `y`) (viewer coordinates from its centre) in place. */
function zoomAt(factor: number, x = 0, y = 0): void {
  const next = Math.min(Math.max(zoom * factor, 0.05), 32);
  const applied = next / zoom;
  pan = { x: x - (x - pan.x) * applied, y: y - (y - pan.y) * applied };
  zoom = next;
  fitMode = false;
  layout();
}

function presetWindow(id: string, current: DicomInstance): WindowLevel {
  if (id === 'tags') return current.windows.tags ?? current.windows.auto;
  if (id === 'full') return current.windows.fullRange;
  return current.presets.find((preset) => preset.id === id)?.window ?? current.windows.auto;
}

/** The preset list for this modality, rebuilt only when it changes so a chosen preset stays chosen. */
function showPresets(next: DicomInstance): void {
  const key = `${next.modality}:${next.presets.map((preset) => preset.id).join(',')}`;
  if (key === presetKey) return;
  presetKey = key;
  presetPicker.replaceChildren(
    h('vscode-option', { value: 'auto' }, 'Auto (0.5–99.5 %)'),
    h('vscode-option', { value: 'tags' }, 'From the file'),
    h('vscode-option', { value: 'full' }, 'Full range'),
    ...next.presets.map((preset) => h('vscode-option', { value: preset.id }, preset.label)),
  );
}

function show(next: DicomInstance): void {
  const first = instance === null;
  instance = next;
  canvas.width = next.columns;
  canvas.height = next.rows;
  image = context.createImageData(next.columns, next.rows);
  showPresets(next);
  // Stepping keeps the window the reader set, as radiology viewers do.
  if (first) window = next.windows.auto;
  const fileName = next.file.split(/[\\/]/).pop() ?? next.file;
  byId('dicom-title').textContent =
    `${fileName} · slice ${next.index + 1} of ${next.count}${next.modality ? ` · ${next.modality}` : ''}`;
  document.title = fileName;
  byId('instance-label').textContent =
    `${next.index + 1} / ${next.count} (${next.sortMethod === 'position' ? 'by slice position' : 'by instance number'})`;
  byId('instance-prev').toggleAttribute('disabled', next.index === 0);
  byId('instance-next').toggleAttribute('disabled', next.index + 1 >= next.count);
  fillGrid(
    byId('dicom-tags'),
    ['Name', 'Tag', 'VR', 'Value'],
    next.tags.map((row) => [row.name, row.tag, row.vr, row.value]),
  );
  app.setAttribute('aria-busy', 'false');
  layout();
  draw();
}

function step(delta: number): void {
  if (instance === null) return;
  const index = instance.index + delta;
  if (index >= 0 && index < instance.count) send({ type: FromWebview.StepInstance, index });
}

function handle(message: DicomHostMessage): void {
  if (message.type === ToWebview.Error) showError(message.message);
  else if (message.type === ToWebview.SeriesPoints) {
    points = message.points;
    drawPoints();
  } else if (message.type === ToWebview.DicomFocus) {
    focus = message.focus;
    drawPoints();
  } else show(message.instance);
}

const send = connectToHost<DicomHostMessage, DicomPageMessage>(isDicomHostMessage, handle);

byId('instance-prev').addEventListener('click', () => step(-1));
byId('instance-next').addEventListener('click', () => step(1));
document.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') step(-1);
  if (event.key === 'ArrowRight' || event.key === 'ArrowDown') step(1);
});
viewer.addEventListener(
  'wheel',
  (event) => {
    event.preventDefault();
    if (event.ctrlKey || event.metaKey) {
      const box = viewer.getBoundingClientRect();
      const x = event.clientX - box.left - box.width / 2;
      const y = event.clientY - box.top - box.height / 2;
      zoomAt(Math.exp(-event.deltaY / 300), x, y);
    } else {
      step(Math.sign(event.deltaY));
    }
  },
  { passive: false },
);
presetPicker.addEventListener('change', () => {
  if (instance === null) return;
  window = presetWindow(presetPicker.value, instance);
  draw();
});
byId('zoom-in').addEventListener('click', () => zoomAt(1.25));
byId('zoom-out').addEventListener('click', () => zoomAt(1 / 1.25));
pointsToggle.addEventListener('change', drawPoints);
byId('predict-study').addEventListener('click', () => send({ type: FromWebview.PredictStudy }));
byId('zoom-fit').addEventListener('click', () => {
  fitMode = true;
  layout();
});
new ResizeObserver(() => layout()).observe(viewer);

// Radiology viewers pan with a plain drag and window with another button or a modifier.
let drag: {
  x: number;
  y: number;
  mode: 'pan' | 'window';
  startWindow: WindowLevel;
  startPan: { x: number; y: number };
} | null = null;
viewer.addEventListener('contextmenu', (event) => event.preventDefault());
viewer.addEventListener('pointerdown', (event) => {
  const mode = event.button === 2 || event.shiftKey ? 'window' : 'pan';
  drag = { x: event.clientX, y: event.clientY, mode, startWindow: window, startPan: pan };
  viewer.setPointerCapture(event.pointerId);
});
viewer.addEventListener('pointermove', (event) => {
  if (drag === null || instance === null) return;
  const dx = event.clientX - drag.x;
  const dy = event.clientY - drag.y;
  if (drag.mode === 'pan') {
    pan = { x: drag.startPan.x + dx, y: drag.startPan.y + dy };
    fitMode = false;
    layout();
    return;
  }
  window = dragWindow(drag.startWindow, dx, dy, instance.windows.fullRange.width);
  // Redraw once per frame however many pointer events arrive.
  requestAnimationFrame(draw);
});
viewer.addEventListener('pointerup', () => (drag = null));
