// The run panel's saliency dialog: a gallery row's map drawn over the crop the evaluation used (the map is aligned
// to that crop, not to the tile), with an opacity slider that redraws on the page alone, the method's caption, and
// for Grad-CAM a grade selector that asks the host for that grade's map.
import { DEFAULT_OPACITY } from '../core/explain/saliencyMethods';
import { FromWebview, GRADE_NAMES, type GradeName, type RunPageMessage, type SaliencyView } from './contract';
import { byId, h } from './dom';

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the saliency PNG could not be decoded'));
    image.src = src;
  });
}

export interface SaliencyDialog {
  element: HTMLElement;
  /** Opens the dialog on a row while the host computes its map. */
  request(rowId: string, grade: GradeName | null): void;
  show(view: SaliencyView): Promise<void>;
  /** The host could not compute the map: a dialog still waiting says why instead. */
  failed(message: string): void;
}

export function saliencyDialog(send: (message: RunPageMessage) => void): SaliencyDialog {
  const element = h(
    'section',
    { id: 'saliency-view', class: 'overlay', hidden: '', role: 'dialog', 'aria-label': 'Saliency' },
    h('h2', { id: 'saliency-title' }),
    h('vscode-button', { id: 'saliency-close' }, 'Close'),
    h(
      'div',
      { class: 'saliency-controls' },
      h('label', { for: 'saliency-opacity' }, 'Opacity'),
      h('input', {
        id: 'saliency-opacity',
        type: 'range',
        min: '0',
        max: '100',
        value: String(Math.round(DEFAULT_OPACITY * 100)),
        'aria-label': 'Heat map opacity',
      }),
      h('label', { for: 'saliency-grade', id: 'saliency-grade-label' }, 'Grade'),
      h(
        'vscode-dropdown',
        { id: 'saliency-grade', 'aria-label': 'Grade the map explains' },
        ...GRADE_NAMES.map((grade) => h('vscode-option', { value: grade }, grade)),
      ),
    ),
    h('p', { id: 'saliency-caption', role: 'status' }),
    h('canvas', { id: 'saliency-canvas', class: 'saliency', 'aria-label': 'Saliency map over the model input' }),
  );
  let rowId = '';
  let shownGrade: string | null = null;
  let layers: { crop: HTMLImageElement; heatmap: HTMLImageElement } | null = null;
  const opacity = () => Number(byId<HTMLInputElement>('saliency-opacity').value) / 100;
  const gradePicker = () => byId('saliency-grade') as HTMLElement & { value: string };

  // The CLI's overlay is crop·(1−a) + colour·a, which is what drawing the colour layer at alpha a over the crop does.
  function draw(): void {
    if (layers === null) return;
    const canvas = byId<HTMLCanvasElement>('saliency-canvas');
    canvas.width = layers.crop.naturalWidth;
    canvas.height = layers.crop.naturalHeight;
    const pen = canvas.getContext('2d')!;
    pen.globalAlpha = 1;
    pen.drawImage(layers.crop, 0, 0);
    pen.globalAlpha = opacity();
    pen.drawImage(layers.heatmap, 0, 0, canvas.width, canvas.height);
  }

  function request(row: string, grade: GradeName | null): void {
    rowId = row;
    shownGrade = grade;
    byId('saliency-title').textContent = row;
    byId('saliency-caption').textContent = 'Computing the map from the saved model…';
    element.setAttribute('aria-busy', 'true');
    element.hidden = false;
    send({ type: FromWebview.ExplainItem, rowId: row, grade });
  }

  async function show(view: SaliencyView): Promise<void> {
    rowId = view.rowId;
    layers = { crop: await loadImage(view.cropPng), heatmap: await loadImage(view.heatmapPng) };
    byId('saliency-title').textContent = view.rowId;
    byId('saliency-caption').textContent = view.caption;
    for (const id of ['saliency-grade', 'saliency-grade-label']) byId(id).hidden = !view.gradeSpecific;
    shownGrade = view.grade;
    gradePicker().value = view.grade;
    element.setAttribute('aria-busy', 'false');
    element.hidden = false;
    draw();
  }

  function failed(message: string): void {
    if (element.getAttribute('aria-busy') !== 'true') return;
    byId('saliency-caption').textContent = message;
    element.setAttribute('aria-busy', 'false');
  }

  element.querySelector('#saliency-opacity')!.addEventListener('input', draw);
  element.querySelector('#saliency-close')!.addEventListener('click', () => (element.hidden = true));
  element.querySelector('#saliency-grade')!.addEventListener('change', () => {
    const grade = gradePicker().value as GradeName;
    // Setting the picker to the shown grade fires 'change' too: only a different grade asks for a new map.
    if ((GRADE_NAMES as readonly string[]).includes(grade) && grade !== shownGrade) request(rowId, grade);
  });
  return { element, request, show, failed };
}
