// Label draws with the class imbalance of the real competition data, where most levels are Normal/Mild and
// Severe is rare, and where degeneration concentrates at the lower lumbar levels.
import { CONDITIONS, LEVELS, type Condition, type GradeIndex } from '../lsdcVocabulary';
import type { Random } from '../random';

/** Target share of [Normal/Mild, Moderate, Severe] over all levels, per condition. */
export const GRADE_SHARES: Readonly<Record<Condition, readonly [number, number, number]>> = {
  spinal_canal_stenosis: [0.84, 0.09, 0.07],
  left_neural_foraminal_narrowing: [0.77, 0.18, 0.05],
  right_neural_foraminal_narrowing: [0.77, 0.18, 0.05],
  left_subarticular_stenosis: [0.7, 0.21, 0.09],
  right_subarticular_stenosis: [0.7, 0.21, 0.09],
};

/**
 * How much likelier than average an abnormal grade is at each level (L1/L2 .. L5/S1). The mean is 1, so the
 * shares above hold over all levels while L4/L5 and L5/S1 carry most of the disease, as in the real data.
 */
export const LEVEL_RISK: readonly number[] = [0.4, 0.7, 1.0, 1.5, 1.4];

/** Share of label cells left empty (no grade in train.csv, no coordinate row), as some are in the real data. */
export const MISSING_SHARE = 0.015;

/** One study's labels: grade[condition][level]; `labelled` false where the cell is empty in train.csv. */
export interface StudyGrades {
  grade: Record<Condition, GradeIndex[]>;
  labelled: Record<Condition, boolean[]>;
}

export function drawStudyGrades(random: Random): StudyGrades {
  const grade = {} as Record<Condition, GradeIndex[]>;
  const labelled = {} as Record<Condition, boolean[]>;
  for (const condition of CONDITIONS) {
    const [, moderate, severe] = GRADE_SHARES[condition];
    grade[condition] = LEVELS.map((_, level) => {
      const risk = LEVEL_RISK[level];
      const draw = random();
      if (draw < severe * risk) return 2;
      if (draw < (severe + moderate) * risk) return 1;
      return 0;
    });
    labelled[condition] = LEVELS.map(() => random() >= MISSING_SHARE);
  }
  return { grade, labelled };
}
