// Split properties on made-up samples whose worst grades are known by construction.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitByStudy, SPLIT_NAMES } from '../../core/data/splits';
import type { GradeIndex } from '../../core/data/lsdcVocabulary';

/** `studies` studies of 5 levels; study k's worst grade is given by `worstOf(k)` (its other levels are 0). */
function samplesFor(studies: number, worstOf: (k: number) => GradeIndex) {
  return Array.from({ length: studies }, (_, k) =>
    [0, 1, 2, 3, 4].map((level) => ({ studyId: String(1_000_000 + k * 7919), gradeIndex: (level === 3 ? worstOf(k) : 0) as GradeIndex })),
  ).flat();
}

const worstOf = (k: number): GradeIndex => (k % 10 === 0 ? 2 : k % 4 === 0 ? 1 : 0);
const settings = { train: 0.65, val: 0.15, test: 0.2, stratify: true, seed: 42 };

describe('splits by study', () => {
  test('every study is in exactly one split, and all its samples with it', () => {
    const samples = samplesFor(137, worstOf);
    const split = splitByStudy(samples, settings);
    const all = SPLIT_NAMES.flatMap((name) => split.studies[name]);
    assert.equal(all.length, 137);
    assert.equal(new Set(all).size, 137);
    const total = SPLIT_NAMES.reduce((sum, name) => sum + Object.values(split.sampleCounts[name]).reduce((a, b) => a + b, 0), 0);
    assert.equal(total, samples.length);
  });

  test('split sizes follow the fractions within rounding', () => {
    for (const studies of [10, 37, 137, 400]) {
      const split = splitByStudy(samplesFor(studies, worstOf), settings);
      for (const name of SPLIT_NAMES) {
        assert.ok(Math.abs(split.studies[name].length - studies * settings[name]) < 1, `${studies} studies: ${name} has ${split.studies[name].length}`);
      }
    }
  });

  test('the same seed gives the same split whatever the sample order; another seed another split', () => {
    const samples = samplesFor(137, worstOf);
    const a = splitByStudy(samples, settings);
    const b = splitByStudy([...samples].reverse(), settings);
    const c = splitByStudy(samples, { ...settings, seed: 43 });
    assert.deepEqual(a.studies, b.studies);
    assert.notDeepEqual(a.studies.test, c.studies.test);
  });

  test('stratification puts Severe studies in every split, in proportion', () => {
    // 14 Severe studies of 137: 65/15/20 % is 9.1 / 2.1 / 2.8.
    const split = splitByStudy(samplesFor(137, worstOf), settings);
    const severe = SPLIT_NAMES.map((name) => split.studyCounts[name].Severe);
    assert.deepEqual(severe, [9, 2, 3]);
    // Even 3 Severe studies (one per split at least) reach every split.
    const few = splitByStudy(samplesFor(40, (k) => (k < 3 ? 2 : 0)), settings);
    assert.deepEqual(SPLIT_NAMES.map((name) => few.studyCounts[name].Severe), [1, 1, 1]);
    // Without stratification a seed can leave a split with no Severe study at all; with it, never.
    for (let seed = 0; seed < 20; seed++) {
      const stratified = splitByStudy(samplesFor(60, (k) => (k % 12 === 0 ? 2 : 0)), { ...settings, seed });
      for (const name of SPLIT_NAMES) assert.ok(stratified.studyCounts[name].Severe >= 1, `seed ${seed}: no Severe in ${name}`);
    }
  });

  test('fractions that do not sum to 1 are refused', () => {
    assert.throws(() => splitByStudy(samplesFor(10, worstOf), { ...settings, test: 0.3 }), /sum to 1/);
  });
});
