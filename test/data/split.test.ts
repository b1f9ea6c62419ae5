// Split properties on made-up studies whose worst grades are known by construction.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrainRow } from '../../core/data/datasetTables';
import { CONDITIONS, GRADES, gradeColumn, LEVELS, type Grade, type GradeIndex } from '../../core/data/lsdcVocabulary';
import { splitCsv, splitDataset, splitStudies, SPLIT_NAMES, worstGradeByStudy } from '../../core/data/splits';

/** `studies` study ids with their worst grade given by `worstOf(k)`. */
function studiesWith(studies: number, worstOf: (k: number) => GradeIndex): Map<string, GradeIndex> {
  return new Map(Array.from({ length: studies }, (_, k) => [String(1_000_000 + k * 7919), worstOf(k)]));
}

/** A train.csv row grading every condition and level Normal/Mild except the cells given. */
function trainRow(studyId: string, line: number, cells: Record<string, Grade | undefined> = {}): TrainRow {
  const grades = new Map<string, Grade | undefined>();
  for (const condition of CONDITIONS) for (const level of LEVELS) grades.set(gradeColumn(condition, level), 'Normal/Mild');
  for (const [column, grade] of Object.entries(cells)) grades.set(column, grade);
  return { studyId, line, grades };
}

const worstOf = (k: number): GradeIndex => (k % 10 === 0 ? 2 : k % 4 === 0 ? 1 : 0);
const settings = { train: 0.65, val: 0.15, test: 0.2, stratify: true, seed: 42, folds: 1, fold: null };

describe('splits by study', () => {
  test('every study is in exactly one split', () => {
    const split = splitStudies(studiesWith(137, worstOf), settings);
    const all = SPLIT_NAMES.flatMap((name) => split.studies[name]);
    assert.equal(all.length, 137);
    assert.equal(new Set(all).size, 137);
  });

  test('split sizes follow the fractions within rounding', () => {
    for (const studies of [10, 37, 137, 400]) {
      const split = splitStudies(studiesWith(studies, worstOf), settings);
      for (const name of SPLIT_NAMES) {
        assert.ok(
          Math.abs(split.studies[name].length - studies * settings[name]) < 1,
          `${studies} studies: ${name} has ${split.studies[name].length}`,
        );
      }
    }
  });

  test('the same seed gives the same split whatever the train.csv order; another seed another split', () => {
    const rows = Array.from({ length: 60 }, (_, k) =>
      trainRow(String(100 + k), k + 2, k % 6 === 0 ? { [gradeColumn('left_subarticular_stenosis', 'L4/L5')]: 'Severe' } : {}),
    );
    const a = splitDataset({ train: rows }, settings);
    const b = splitDataset({ train: [...rows].reverse() }, settings);
    const c = splitDataset({ train: rows }, { ...settings, seed: 43 });
    assert.deepEqual(a.studies, b.studies);
    assert.notDeepEqual(a.studies.test, c.studies.test);
  });

  test('stratification puts Severe studies in every split, in proportion', () => {
    // 14 Severe studies of 137: 65/15/20 % is 9.1 / 2.1 / 2.8.
    const split = splitStudies(studiesWith(137, worstOf), settings);
    assert.deepEqual(
      SPLIT_NAMES.map((name) => split.studyCounts[name].Severe),
      [9, 2, 3],
    );
    // Even 3 Severe studies (one per split at least) reach every split.
    const few = splitStudies(
      studiesWith(40, (k) => (k < 3 ? 2 : 0)),
      settings,
    );
    assert.deepEqual(
      SPLIT_NAMES.map((name) => few.studyCounts[name].Severe),
      [1, 1, 1],
    );
    for (let seed = 0; seed < 20; seed++) {
      const stratified = splitStudies(
        studiesWith(60, (k) => (k % 12 === 0 ? 2 : 0)),
        { ...settings, seed },
      );
      for (const name of SPLIT_NAMES) assert.ok(stratified.studyCounts[name].Severe >= 1, `seed ${seed}: no Severe in ${name}`);
    }
  });

  test('fractions that do not sum to 1 are refused', () => {
    assert.throws(() => splitStudies(studiesWith(10, worstOf), { ...settings, test: 0.3 }), /sum to 1/);
  });
});

describe('one split per dataset', () => {
  test("a study's worst grade is taken over every condition and level", () => {
    const worst = worstGradeByStudy({
      train: [
        trainRow('1', 2),
        trainRow('2', 3, { [gradeColumn('right_neural_foraminal_narrowing', 'L1/L2')]: 'Moderate' }),
        trainRow('3', 4, {
          [gradeColumn('spinal_canal_stenosis', 'L5/S1')]: 'Moderate',
          [gradeColumn('left_subarticular_stenosis', 'L3/L4')]: 'Severe',
        }),
        // An empty cell is no grade; a study with none at all counts as Normal/Mild.
        trainRow('4', 5, Object.fromEntries(CONDITIONS.flatMap((c) => LEVELS.map((l) => [gradeColumn(c, l), undefined])))),
      ],
    });
    assert.deepEqual([...worst], [
      ['1', 0],
      ['2', 1],
      ['3', 2],
      ['4', 0],
    ]);
  });

  test('the split does not depend on which condition is graded', () => {
    // Spinal canal grades alone would make every study Normal/Mild; the Severe grades sit in the other conditions,
    // so a split stratified by one condition's worst grade would differ from condition to condition.
    const rows = Array.from({ length: 50 }, (_, k) =>
      trainRow(String(7000 + k), k + 2, {
        [gradeColumn(CONDITIONS[1 + (k % 4)]!, LEVELS[k % 5]!)]: GRADES[k % 3],
      }),
    );
    const split = splitDataset({ train: rows }, settings);
    assert.deepEqual(
      SPLIT_NAMES.map((name) => split.studyCounts[name].Severe),
      [11, 2, 3],
      '16 Severe studies (k mod 3 = 2) spread 65/15/20',
    );
  });
});

describe('k-fold cross-validation', () => {
  const folds = { ...settings, folds: 5 };

  test('each study is in exactly one test fold, and every fold run keeps the same folds', () => {
    const worst = studiesWith(83, worstOf);
    const runs = [0, 1, 2, 3, 4].map((fold) => splitStudies(worst, { ...folds, fold }));
    const tested = runs.flatMap((run) => run.studies.test);
    assert.equal(tested.length, 83);
    assert.equal(new Set(tested).size, 83);
    for (const [fold, run] of runs.entries()) {
      assert.deepEqual(run.foldOf, runs[0]!.foldOf);
      assert.deepEqual(
        run.studies.test,
        [...worst.keys()].filter((id) => run.foldOf!.get(id) === fold).sort((a, b) => a.localeCompare(b)),
      );
      // The others split into train and val by 65 : 15 of the non-test studies.
      const rest = 83 - run.studies.test.length;
      assert.ok(Math.abs(run.studies.val.length - (rest * 15) / 80) < 1, `fold ${fold}: val ${run.studies.val.length} of ${rest}`);
      assert.equal(run.studies.train.length + run.studies.val.length, rest);
    }
  });

  test('folds are stratified by worst grade (hand-checked case)', () => {
    // 5 Normal/Mild, 3 Moderate, 2 Severe studies into 2 folds. Strata laid end to end, dealt round robin:
    // Normal/Mild positions 0-4 → folds 0 1 0 1 0, Moderate 5-7 → 1 0 1, Severe 8-9 → 0 1.
    // Fold 0: 3 Normal/Mild, 1 Moderate, 1 Severe; fold 1: 2, 2, 1.
    const worst = studiesWith(10, (k) => (k < 5 ? 0 : k < 8 ? 1 : 2));
    const split = splitStudies(worst, { ...settings, folds: 2, fold: 0 });
    const perFold = [0, 1].map((fold) => {
      const counts = [0, 0, 0];
      for (const [id, grade] of worst) if (split.foldOf!.get(id) === fold) counts[grade]!++;
      return counts;
    });
    assert.deepEqual(perFold, [
      [3, 1, 1],
      [2, 2, 1],
    ]);
    assert.deepEqual(split.studyCounts.test, { 'Normal/Mild': 3, Moderate: 1, Severe: 1 });
  });

  test('a fold outside 0..k-1 is refused', () => {
    assert.throws(() => splitStudies(studiesWith(10, worstOf), { ...folds, fold: 5 }), /fold from 0 to 4/);
    assert.throws(() => splitStudies(studiesWith(10, worstOf), { ...folds, fold: null }), /fold from 0 to 4/);
  });

  test('split.csv lists every study with its split, and its fold under cross-validation', () => {
    const worst = studiesWith(4, () => 0);
    const single = splitCsv(splitStudies(worst, { ...settings, train: 0.5, val: 0.25, test: 0.25 }));
    const lines = single.trim().split('\n');
    assert.equal(lines[0], 'study_id,split');
    assert.deepEqual(lines.slice(1).map((line) => line.split(',')[1]).sort(), ['test', 'train', 'train', 'val']);
    const folded = splitCsv(splitStudies(worst, { ...settings, folds: 2, fold: 1 })).trim().split('\n');
    assert.equal(folded[0], 'study_id,split,fold');
    for (const line of folded.slice(1)) {
      const [, split, fold] = line.split(',');
      assert.equal(split === 'test', fold === '1', line);
    }
  });
});
