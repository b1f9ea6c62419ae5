// The DICOM viewer page: the image on a canvas, windowed here from the modality values the host sends, with
// drag to window/level, presets, zoom, stepping through the series and the tags table.
import './panels.css';
import {
  FromWebview,
  ToWebview,
  isDicomHostMessage,
  type DicomHostMessage,
  type DicomInstance,
  type DicomPageMessage,
  type WindowLevel,
} from './contract';
import { byId, fillGrid, h } from './dom';
import { connectToHost, showError } from './pageConnection';
import { registerToolkit } from './toolkit';
import { FIXED_PRESETS, dragWindow, windowToRgba } from './windowLevel';

registerToolkit();

const app = byId('app');
app.append(
  h(
    'div',
    { class: 'toolbar' },
    h('vscode-button', { id: 'instance-prev', appearance: 'secondary', 'aria-label': 'Previous instance' }, '◀'),
    h('span', { id: 'instance-label', role: 'status' }),
    h('vscode-button', { id: 'instance-next', appearance: 'secondary', 'aria-label': 'Next instance' }, '▶'),
    h(
      'vscode-dropdown',
      { id: 'window-preset', 'aria-label': 'Window preset' },
      h('vscode-option', { value: 'auto' }, 'Auto (0.5–99.5 %)'),
      h('vscode-option', { value: 'tags' }, 'From the file'),
      h('vscode-option', { value: 'full' }, 'Full range'),
      ...FIXED_PRESETS.map((preset) => h('vscode-option', { value: preset.id }, preset.label)),
    ),
    h('span', { id: 'window-readout', role: 'status' }),
    h('vscode-button', { id: 'zoom-out', appearance: 'secondary', 'aria-label': 'Zoom out' }, '−'),
    h('span', { id: 'zoom-label' }),
    h('vscode-button', { id: 'zoom-in', appearance: 'secondary', 'aria-label': 'Zoom in' }, '+'),
    h('vscode-button', { id: 'zoom-reset', appearance: 'secondary', 'aria-label': 'Fit' }, 'Fit'),
  ),
  h(
    'div',
    { class: 'viewer' },
    h('canvas', { id: 'dicom-canvas', 'aria-label': 'DICOM image; drag to change window and level' }),
  ),
  h(
    'p',
    { class: 'hint' },
    'Drag: left/right changes the width, up/down the level. Arrow keys or the mouse wheel step through the series.',
  ),
  h('vscode-data-grid', { id: 'dicom-tags', 'aria-label': 'DICOM tags', 'grid-template-columns': '2fr 1fr 0.5fr 3fr' }),
);

const canvas = byId<HTMLCanvasElement>('dicom-canvas');
const context = canvas.getContext('2d')!;
let instance: DicomInstance | null = null;
let window: WindowLevel = { center: 0, width: 1 };
let image: ImageData | null = null;
let zoom = 1;

function draw(): void {
  if (instance === null || image === null) return;
  windowToRgba(instance.pixels, window, instance.invert, image.data);
  context.putImageData(image, 0, 0);
  byId('window-readout').textContent = `C ${window.center.toFixed(1)} · W ${window.width.toFixed(1)}`;
}

function applyZoom(): void {
  if (instance === null) return;
  // Non-square pixels: stretch columns by the column/row spacing ratio so anatomy keeps its proportions.
  const [rowSpacing, columnSpacing] = instance.pixelSpacing ?? [1, 1];
  canvas.style.width = `${instance.columns * zoom * (columnSpacing / rowSpacing)}px`;
  canvas.style.height = `${instance.rows * zoom}px`;
  byId('zoom-label').textContent = `${Math.round(zoom * 100)} %`;
}

function presetWindow(id: string, current: DicomInstance): WindowLevel {
  if (id === 'tags') return current.windows.tags ?? current.windows.auto;
  if (id === 'full') return current.windows.fullRange;
  return FIXED_PRESETS.find((preset) => preset.id === id)?.window ?? current.windows.auto;
}

function show(next: DicomInstance): void {
  const keepWindow = instance !== null;
  instance = next;
  canvas.width = next.columns;
  canvas.height = next.rows;
  image = context.createImageData(next.columns, next.rows);
  if (!keepWindow) window = next.windows.auto;
  byId('instance-label').textContent =
    `${next.index + 1} / ${next.count} (${next.sortMethod === 'position' ? 'by slice position' : 'by instance number'}) · ${next.file.split(/[\\/]/).pop()}`;
  byId('instance-prev').toggleAttribute('disabled', next.index === 0);
  byId('instance-next').toggleAttribute('disabled', next.index + 1 >= next.count);
  fillGrid(
    byId('dicom-tags'),
    ['Name', 'Tag', 'VR', 'Value'],
    next.tags.map((row) => [row.name, row.tag, row.vr, row.value]),
  );
  app.setAttribute('aria-busy', 'false');
  applyZoom();
  draw();
}

function step(delta: number): void {
  if (instance === null) return;
  const index = instance.index + delta;
  if (index >= 0 && index < instance.count) send({ type: FromWebview.StepInstance, index });
}

function handle(message: DicomHostMessage): void {
  if (message.type === ToWebview.Error) showError(message.message);
  else show(message.instance);
}

const send = connectToHost<DicomHostMessage, DicomPageMessage>(isDicomHostMessage, handle);

byId('instance-prev').addEventListener('click', () => step(-1));
byId('instance-next').addEventListener('click', () => step(1));
document.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') step(-1);
  if (event.key === 'ArrowRight' || event.key === 'ArrowDown') step(1);
});
canvas.addEventListener('wheel', (event) => {
  event.preventDefault();
  step(Math.sign(event.deltaY));
});
byId('window-preset').addEventListener('change', () => {
  if (instance === null) return;
  window = presetWindow((byId('window-preset') as HTMLElement & { value: string }).value, instance);
  draw();
});
byId('zoom-in').addEventListener('click', () => ((zoom = Math.min(zoom * 1.25, 16)), applyZoom()));
byId('zoom-out').addEventListener('click', () => ((zoom = Math.max(zoom / 1.25, 0.125)), applyZoom()));
byId('zoom-reset').addEventListener('click', () => ((zoom = 1), applyZoom()));

let drag: { x: number; y: number; start: WindowLevel } | null = null;
canvas.addEventListener('pointerdown', (event) => {
  drag = { x: event.clientX, y: event.clientY, start: window };
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener('pointermove', (event) => {
  if (drag === null || instance === null) return;
  const range = instance.windows.fullRange.width;
  window = dragWindow(drag.start, event.clientX - drag.x, event.clientY - drag.y, range);
  // Redraw once per frame however many pointer events arrive.
  requestAnimationFrame(draw);
});
canvas.addEventListener('pointerup', () => (drag = null));
