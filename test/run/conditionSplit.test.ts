// One split per dataset: an experiment over all five conditions resolves to five runs, and the split each run
// trains on (the one trainRun computes and writes to split.csv) is the same study set for every condition, even
// on a dataset where each condition alone would stratify its studies differently.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDatasetTables } from '../../core/data/datasetTables';
import {
  CONDITIONS,
  COORDINATE_COLUMNS,
  COORDINATES_CSV,
  GRADES,
  gradeColumn,
  LEVELS,
  SERIES_COLUMNS,
  SERIES_CSV,
  TRAIN_COLUMNS,
  TRAIN_CSV,
  type GradeIndex,
} from '../../core/data/lsdcVocabulary';
import { splitCsv, splitDataset, splitStudies } from '../../core/data/splits';
import { resolveExperiment } from '../../core/experiment/resolve';

const root = mkdtempSync(join(tmpdir(), 'radlab-condition-split-'));
after(() => rmSync(root, { recursive: true, force: true }));

// 60 studies; study k is Severe in condition k mod 5 at one level when k mod 3 is 0, Moderate in condition
// (k + 1) mod 5 when k mod 4 is 0, Normal/Mild everywhere else. Each condition's own worst grades differ.
const STUDIES = 60;
const gradeOf = (k: number, c: number): GradeIndex =>
  k % 3 === 0 && k % 5 === c ? 2 : k % 4 === 0 && (k + 1) % 5 === c ? 1 : 0;
writeFileSync(
  join(root, TRAIN_CSV),
  [
    TRAIN_COLUMNS.join(','),
    ...Array.from({ length: STUDIES }, (_, k) =>
      [
        String(500 + k),
        ...CONDITIONS.flatMap((_, c) => LEVELS.map((_, l) => (l === 2 ? GRADES[gradeOf(k, c)] : 'Normal/Mild'))),
      ].join(','),
    ),
  ].join('\n') + '\n',
);
writeFileSync(join(root, COORDINATES_CSV), `${COORDINATE_COLUMNS.join(',')}\n`);
writeFileSync(join(root, SERIES_CSV), `${SERIES_COLUMNS.join(',')}\n`);

const experimentFile = join(root, 'all.experiment.yaml');
const experiment = (split: string) =>
  [
    'name: all-conditions',
    'data:',
    `  root: ${root}`,
    '  condition: all',
    `  split: ${split}`,
    'model:',
    '  backbones: [resnet18, resnet50]',
    'train:',
    '  augment: { hflip: 0 }',
    '',
  ].join('\n');

function runsOf(split: string) {
  const resolved = resolveExperiment(experiment(split), experimentFile, { checkDataset: false });
  assert.ok(resolved.ok, JSON.stringify(resolved.diagnostics));
  return resolved.runs;
}

describe('one split for every condition and backbone', () => {
  it('gives the ten runs of condition: all one split.csv', async () => {
    const tables = await readDatasetTables(root);
    const runs = runsOf('{ train: 0.6, val: 0.2, test: 0.2, seed: 3 }');
    assert.deepEqual(new Set(runs.map((run) => run.data.condition)), new Set(CONDITIONS));
    const files = runs.map((run) => splitCsv(splitDataset(tables, run.data.split)));
    for (const file of files) assert.equal(file, files[0]);
    assert.equal(files[0]!.trim().split('\n').length, STUDIES + 1);

    // The old way, stratifying by the graded condition's own worst grades, gives the conditions different test
    // studies on this dataset: the shared split is not an accident of the data.
    const testSets = CONDITIONS.map((condition) => {
      const worst = new Map(
        tables.train.map((row) => [
          row.studyId,
          Math.max(...LEVELS.map((level) => GRADES.indexOf(row.grades.get(gradeColumn(condition, level))!))),
        ]),
      );
      return splitStudies(worst, runs[0]!.data.split).studies.test.join(' ');
    });
    assert.ok(new Set(testSets).size > 1, 'per-condition stratification would split differently');
  });

  it('under 5-fold cross-validation puts each study in one test fold, the same for every condition', async () => {
    const tables = await readDatasetTables(root);
    const runs = runsOf('{ train: 0.65, val: 0.15, test: 0.2, seed: 3, folds: 5 }');
    assert.equal(runs.length, 2 * 5 * 5);
    const testFoldOf = new Map<string, number>();
    for (const run of runs) {
      const split = splitDataset(tables, run.data.split);
      for (const study of split.studies.test) {
        const earlier = testFoldOf.get(study);
        assert.ok(earlier === undefined || earlier === run.data.split.fold, `study ${study} tested in two folds`);
        testFoldOf.set(study, run.data.split.fold!);
      }
    }
    assert.equal(testFoldOf.size, STUDIES, 'every study is tested once');
  });
});
