// A confusion matrix as the rows of a table (rows true grade, columns predicted grade), each cell shaded by its
// row-normalised share: the run panel's test matrix and the epoch scrubber's validation matrix alike.
import type { ConfusionMatrices } from '../core/metrics/classification';
import { GRADE_NAMES } from './contract';
import { h } from './dom';

/** The caption, the header and a row per true grade; `normalised` shows each row's fractions instead of its counts. */
export function confusionRows(caption: string, pair: ConfusionMatrices, normalised = false): HTMLElement[] {
  const matrix = normalised ? pair.normalised : pair.counts;
  return [
    h('caption', {}, caption),
    h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'true \\ predicted'),
      ...GRADE_NAMES.map((grade) => h('th', { scope: 'col' }, grade)),
    ),
    ...matrix.map((row, t) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, GRADE_NAMES[t]!),
        ...row.map((value, p) =>
          h(
            'td',
            { class: t === p ? 'diagonal' : '', 'data-shade': String(Math.round(10 * (pair.normalised[t]![p] ?? 0))) },
            normalised ? value.toFixed(2) : String(value),
          ),
        ),
      ),
    ),
  ];
}
