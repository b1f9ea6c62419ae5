// The run panel's epoch scrubber: a slider over the epochs that have ended, starting at the best one, that shows the
// validation confusion matrix and per-grade scores of the chosen epoch (from results/val_predictions, which the host
// reads) and, once the user moves it, switches the gallery to that epoch's validation rows. While a run trains a new
// epoch extends the slider; a user sitting on the latest epoch follows it, one who has not moved it stays on the best.
import type { ClassificationSummary } from '../core/metrics/classification';
import { FromWebview, GRADE_NAMES, type EpochEvidence, type RunPageMessage, type RunPanelModel } from './contract';
import { confusionRows } from './confusionTable';
import { formatNumber, h } from './dom';

function scoreRows(summary: ClassificationSummary): HTMLElement[] {
  const cells = (name: string, s: { precision: number; recall: number; f1: number }, support: number) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, name),
      ...[s.precision, s.recall, s.f1].map((value) => h('td', {}, formatNumber(value))),
      h('td', {}, String(support)),
    );
  return [
    h('tr', {}, ...['Grade', 'Precision', 'Recall', 'F1', 'Support'].map((name) => h('th', { scope: 'col' }, name))),
    ...summary.perClass.map((scores, k) => cells(GRADE_NAMES[k]!, scores, scores.support)),
    cells('Macro average', summary.macro, summary.samples),
  ];
}

export function epochScrubber(send: (message: RunPageMessage) => void) {
  const slider = h('input', {
    id: 'epoch-scrubber',
    type: 'range',
    step: '1',
    list: 'epoch-best-mark',
    'aria-label': 'Epoch',
  }) as HTMLInputElement;
  const bestMark = h('datalist', { id: 'epoch-best-mark' });
  const label = h('span', { id: 'epoch-label', role: 'status' });
  const note = h('p', { id: 'epoch-note', class: 'hint', role: 'note' });
  const confusion = h('table', {
    id: 'epoch-confusion',
    'aria-label': 'Validation confusion matrix at the chosen epoch, rows true grade, columns predicted grade',
  });
  const scores = h('table', { id: 'epoch-metrics', 'aria-label': 'Validation per-grade metrics at the chosen epoch' });
  const element = h(
    'section',
    { id: 'epoch-evidence', 'aria-label': 'Validation by epoch', hidden: '' },
    h('h2', {}, 'Validation by epoch'),
    h('div', { class: 'toolbar' }, h('label', { for: 'epoch-scrubber' }, 'Epoch'), slider, bestMark, label),
    note,
    h('div', { class: 'epoch-tables' }, confusion, scores),
  );

  let epochs: number[] = [];
  let best: number | null = null;
  let selected: number | null = null;
  // Once the user has moved the slider it is theirs: it no longer jumps to a new best, and drives the gallery.
  let moved = false;

  function describe(): void {
    if (selected === null) return;
    const last = epochs[epochs.length - 1]!;
    label.textContent = `Epoch ${selected} of ${last}${selected === best ? ' · best' : ''}${best !== null && selected !== best ? ` · best is ${best}` : ''}`;
  }

  function select(epoch: number): void {
    selected = epoch;
    slider.value = String(epoch);
    describe();
    send({ type: FromWebview.SelectEpoch, epoch, gallery: moved });
  }

  slider.addEventListener('input', () => {
    moved = true;
    select(Number(slider.value));
  });

  return {
    element,
    /** A new model: the epochs that have ended and the best of them. */
    update(model: RunPanelModel): void {
      const previousLast = epochs[epochs.length - 1];
      epochs = model.history.map((point) => point.epoch).sort((a, b) => a - b);
      element.hidden = epochs.length === 0;
      if (epochs.length === 0) return;
      best = model.bestEpoch;
      slider.min = String(epochs[0]);
      slider.max = String(epochs[epochs.length - 1]);
      bestMark.replaceChildren(...(best === null ? [] : [h('option', { value: String(best), label: 'best' })]));
      const last = epochs[epochs.length - 1]!;
      const target = moved && selected === previousLast ? last : moved ? selected! : (best ?? last);
      if (target !== selected) select(target);
      else describe();
    },
    show(evidence: EpochEvidence): void {
      if (evidence.epoch !== selected) return;
      note.textContent =
        evidence.problem ??
        `${evidence.summary!.samples} validation rows · accuracy ${formatNumber(evidence.summary!.accuracy)} · macro-F1 ${formatNumber(evidence.summary!.macro.f1)}${evidence.gallery ? ` · the gallery shows epoch ${evidence.epoch}'s validation rows` : ''}`;
      confusion.replaceChildren(
        ...(evidence.summary === null
          ? []
          : confusionRows('Validation · rows: true grade · columns: predicted grade', evidence.summary.confusion)),
      );
      scores.replaceChildren(...(evidence.summary === null ? [] : scoreRows(evidence.summary)));
    },
  };
}
