// The dataset preview page: a summary (grades per condition and level, what a run would skip and why, studies per
// split), then studies, their series and slices, each slice shown with its labels drawn on. It opens on the first
// study's first labelled series, and the chosen study and series stay highlighted.
import './panels.css';
import {
  FromWebview,
  GRADE_NAMES,
  ToWebview,
  isDatasetHostMessage,
  type ConditionSummary,
  type DatasetHostMessage,
  type DatasetPageMessage,
  type DatasetSummary,
  type DatasetTree,
  type SeriesSlices,
} from './contract';
import { byId, h } from './dom';
import { connectToHost, showError } from './pageConnection';
import { registerToolkit } from './toolkit';

registerToolkit();

// A dataset can hold thousands of studies; the list shows a page of them at a time.
const STUDIES_PER_PAGE = 50;

const app = byId('app');
app.append(
  h('header', {}, h('h1', { id: 'dataset-title' }, 'Dataset')),
  h(
    'details',
    { id: 'dataset-summary', open: '' },
    h('summary', { id: 'summary-headline' }, 'Summary: counting…'),
    h('p', { id: 'split-counts', role: 'status' }),
    h('div', { id: 'condition-summaries', class: 'summary-grid' }),
  ),
  h(
    'div',
    { class: 'columns' },
    h(
      'nav',
      { 'aria-label': 'Studies' },
      h('h2', {}, 'Studies'),
      h('ul', { id: 'study-list', class: 'pick-list', 'aria-label': 'Studies' }),
      h(
        'div',
        { class: 'toolbar' },
        h('vscode-button', { id: 'studies-prev', appearance: 'secondary', 'aria-label': 'Previous studies' }, '◀'),
        h('span', { id: 'studies-page', role: 'status' }),
        h('vscode-button', { id: 'studies-next', appearance: 'secondary', 'aria-label': 'Next studies' }, '▶'),
      ),
    ),
    h(
      'nav',
      { 'aria-label': 'Series' },
      h('h2', {}, 'Series'),
      h('ul', { id: 'series-list', class: 'pick-list', 'aria-label': 'Series' }),
    ),
    h(
      'section',
      { 'aria-label': 'Slice' },
      h(
        'div',
        { class: 'toolbar' },
        h('vscode-button', { id: 'slice-prev', appearance: 'secondary', 'aria-label': 'Previous slice' }, '◀'),
        h('span', { id: 'slice-label', role: 'status' }),
        h('vscode-button', { id: 'slice-next', appearance: 'secondary', 'aria-label': 'Next slice' }, '▶'),
        h(
          'vscode-button',
          { id: 'slice-next-labelled', appearance: 'secondary', 'aria-label': 'Next labelled slice' },
          'Next labelled',
        ),
      ),
      // Hidden until a slice arrives, so the page never shows a broken image.
      h('img', { id: 'dataset-slice', alt: 'Slice with its labelled points drawn on', hidden: '' }),
      h('ul', { id: 'slice-labels', 'aria-label': 'Labels on this slice' }),
    ),
  ),
);

let tree: DatasetTree | null = null;
let studiesPage = 0;
let series: SeriesSlices | null = null;
let position = 0;

let selectedStudy: string | null = null;
let selectedSeries: string | null = null;

function pickItem(
  text: string,
  attributes: Record<string, string>,
  selected: boolean,
  onPick: () => void,
): HTMLLIElement {
  const button = h('button', selected ? { ...attributes, 'aria-current': 'true' } : attributes, text);
  button.addEventListener('click', onPick);
  return h('li', {}, button);
}

function openSeries(studyId: string, seriesId: string): void {
  selectedSeries = seriesId;
  renderSeries(studyId);
  send({ type: FromWebview.OpenSeries, studyId, seriesId });
}

/** Selects a study and opens its first labelled series (or its first series), so the page never starts empty. */
function openStudy(studyId: string): void {
  selectedStudy = studyId;
  renderStudies();
  const study = tree?.studies.find((s) => s.studyId === studyId);
  const first = study?.series.find((s) => s.labels > 0) ?? study?.series[0];
  if (first !== undefined) openSeries(studyId, first.seriesId);
  else renderSeries(studyId);
}

function renderStudies(): void {
  if (tree === null) return;
  const pages = Math.max(1, Math.ceil(tree.studies.length / STUDIES_PER_PAGE));
  byId('studies-page').textContent = `${studiesPage + 1} / ${pages} · ${tree.studies.length} studies`;
  byId('study-list').replaceChildren(
    ...tree.studies
      .slice(studiesPage * STUDIES_PER_PAGE, (studiesPage + 1) * STUDIES_PER_PAGE)
      .map((study) =>
        pickItem(
          `${study.studyId} (${study.series.length} series)`,
          { 'data-study-id': study.studyId },
          study.studyId === selectedStudy,
          () => openStudy(study.studyId),
        ),
      ),
  );
}

function renderSeries(studyId: string): void {
  const study = tree?.studies.find((s) => s.studyId === studyId);
  if (study === undefined) return;
  byId('series-list').replaceChildren(
    ...study.series.map((s) =>
      pickItem(
        `${s.description} · ${s.seriesId} · ${s.labels} labels`,
        { 'data-series-id': s.seriesId },
        s.seriesId === selectedSeries,
        () => openSeries(studyId, s.seriesId),
      ),
    ),
  );
}

function openSlice(index: number): void {
  if (series === null || series.instances.length === 0) return;
  position = Math.max(0, Math.min(index, series.instances.length - 1));
  byId('slice-label').textContent =
    `Instance ${series.instances[position]} · ${position + 1} / ${series.instances.length}`;
  send({
    type: FromWebview.OpenDatasetSlice,
    studyId: series.studyId,
    seriesId: series.seriesId,
    instanceNumber: series.instances[position]!,
  });
}

function gradeTable(condition: ConditionSummary): HTMLElement {
  const columns = [...GRADE_NAMES, 'ungraded', 'samples'];
  return h(
    'table',
    {
      class: 'grade-table',
      'data-condition': condition.condition,
      'aria-label': `${condition.title} grades per level`,
    },
    h('caption', {}, condition.title),
    h('tr', {}, h('th', { scope: 'col' }, 'Level'), ...columns.map((name) => h('th', { scope: 'col' }, name))),
    ...condition.levels.map((level) =>
      h(
        'tr',
        { 'data-level': level.level },
        h('th', { scope: 'row' }, level.level),
        ...GRADE_NAMES.map((grade) => h('td', { 'data-grade': grade }, String(level.grades[grade]))),
        h('td', { 'data-grade': 'ungraded' }, String(level.ungraded)),
        h('td', { 'data-samples': '' }, String(level.samples)),
      ),
    ),
  );
}

function renderSummary(summary: DatasetSummary): void {
  const split = summary.split;
  const counts =
    'error' in split
      ? 'split unknown'
      : Object.entries(split.studies)
          .map(([name, count]) => `${name} ${count}`)
          .join(' / ');
  byId('summary-headline').textContent = `Summary: ${summary.studies} studies · ${counts} studies per split`;
  byId('split-counts').replaceChildren(
    'error' in split
      ? h('span', { class: 'image-error' }, split.error)
      : h(
          'span',
          {},
          'Studies per split: ',
          ...Object.entries(split.studies).flatMap(([name, count], i) => [
            i === 0 ? '' : ' · ',
            h('span', { 'data-split': name, 'data-count': String(count) }, `${name} ${count}`),
          ]),
          ` (from ${split.source})`,
        ),
  );
  byId('condition-summaries').replaceChildren(
    ...summary.conditions.map((condition) =>
      h(
        'section',
        { class: 'condition-summary', 'aria-label': condition.title },
        gradeTable(condition),
        condition.skipped.length === 0
          ? h('p', { class: 'hint' }, 'Nothing skipped.')
          : h(
              'ul',
              { class: 'skipped', 'aria-label': `${condition.title}: skipped items` },
              ...condition.skipped.map((item) =>
                h(
                  'li',
                  { 'data-reason': item.reason, title: `For example ${item.example}` },
                  `${item.count} skipped: ${item.meaning}`,
                ),
              ),
            ),
      ),
    ),
  );
}

function handle(message: DatasetHostMessage): void {
  switch (message.type) {
    case ToWebview.DatasetTree:
      tree = message.tree;
      byId('dataset-title').textContent = `Dataset ${tree.root}`;
      app.setAttribute('aria-busy', 'false');
      if (tree.studies[0] !== undefined) openStudy(tree.studies[0].studyId);
      else renderStudies();
      break;
    case ToWebview.DatasetSummary:
      renderSummary(message.summary);
      break;
    case ToWebview.SeriesSlices:
      series = message.slices;
      // Start on the first labelled slice: that is what a reader of a labelled dataset wants to check.
      openSlice(Math.max(0, series.instances.indexOf(series.labelled[0] ?? -1)));
      break;
    case ToWebview.DatasetSlice:
      byId<HTMLImageElement>('dataset-slice').src = message.slice.png;
      byId('dataset-slice').removeAttribute('hidden');
      byId('slice-labels').replaceChildren(
        ...message.slice.markers.map((marker) =>
          h('li', {}, `${marker.label} at (${marker.x.toFixed(0)}, ${marker.y.toFixed(0)})`),
        ),
      );
      break;
    case ToWebview.Error:
      showError(message.message);
      break;
  }
}

const send = connectToHost<DatasetHostMessage, DatasetPageMessage>(isDatasetHostMessage, handle);

byId('studies-prev').addEventListener('click', () => studiesPage > 0 && (studiesPage--, renderStudies()));
byId('studies-next').addEventListener(
  'click',
  () => tree !== null && (studiesPage + 1) * STUDIES_PER_PAGE < tree.studies.length && (studiesPage++, renderStudies()),
);
byId('slice-prev').addEventListener('click', () => openSlice(position - 1));
byId('slice-next').addEventListener('click', () => openSlice(position + 1));
byId('slice-next-labelled').addEventListener('click', () => {
  if (series === null) return;
  const next = series.instances.findIndex((n, i) => i > position && series!.labelled.includes(n));
  if (next >= 0) openSlice(next);
});
