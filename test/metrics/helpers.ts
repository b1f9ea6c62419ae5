import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const metricsFixtures = join(__dirname, '..', 'fixtures', 'metrics');

export interface ReferenceCase {
  name: string;
  labels: number[];
  probabilities: number[][];
  studyIds: string[];
  levels: string[];
  expected: {
    accuracy: number;
    perClass: { precision: number; recall: number; f1: number; support: number }[];
    macro: { precision: number; recall: number; f1: number };
    weighted: { precision: number; recall: number; f1: number };
    confusion: { counts: number[][]; normalised: number[][] };
    roc: { fpr?: number[]; tpr?: number[]; auc: number | null }[];
    conditionLoss: number;
    anySevereLoss: number;
    spinalScore: number;
    balancedClassWeights: number[] | null;
  };
}

/** Random prediction sets scored by scikit-learn (make_reference.py). */
export function referenceCases(): ReferenceCase[] {
  return JSON.parse(readFileSync(join(metricsFixtures, 'reference.json'), 'utf8')).cases;
}

export function assertClose(actual: number, expected: number, tolerance = 1e-12, what = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} differs from ${expected} by more than ${tolerance}`,
  );
}

export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance = 1e-12,
  what = '',
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i]!, expected[i]!, tolerance, `${what}[${i}]`);
}
