// The RSNA 2024 Lumbar Spine Degenerative Classification competition metric, for the samples of one condition.
//
// The competition's scorer (Kaggle "rsna-lumbar-metric") computes, with scikit-learn's log_loss:
//
// 1. Condition term. Each sample i (a study's level) has a true grade y_i and a weight w_i = 1, 2, 4 for
//    Normal/Mild, Moderate, Severe. Predictions are clipped, then each row is renormalised to sum to 1 (the order
//    log_loss applies them): q_ik = clip(p_ik, ε, 1-ε) / Σ_j clip(p_ij, ε, 1-ε). Then
//        L_condition = Σ_i w_i · (−ln q_{i,y_i}) / Σ_i w_i.
// 2. any_severe_spinal term (spinal canal stenosis only). Per study s: the label a_s = 1 when any of its levels
//    is Severe; the prediction r_s = max over its levels of the submitted (unnormalised) Severe probability,
//    clipped to [ε, 1-ε]; the weight v_s = max over its levels of w_i, i.e. 4 when a level is Severe, 2 when the
//    worst level is Moderate, 1 otherwise. (This is the scorer's `groupby('study_id')['sample_weight'].max()`;
//    it is not "1 for negatives and 4 for positives": a Moderate-only study weighs 2.)
//        L_any = Σ_s v_s · −(a_s ln r_s + (1 − a_s) ln(1 − r_s)) / Σ_s v_s.
// 3. The scorer averages its terms with weight 1 each. For one condition that is
//        score = (L_condition + L_any) / 2   for spinal canal stenosis,
//        score = L_condition                for the foraminal and subarticular conditions.
// 4. The full competition score (rsnaCompetitionScore) pools rows by the scorer's three groups — spinal canal,
//    neural foraminal (left and right sides together) and subarticular (both sides) — computes L_condition over
//    each group and L_any over the spinal canal rows, and averages the four terms:
//        score = (L_spinal + L_foraminal + L_subarticular + L_any) / 4.
// ε defaults to 1e-15, the clip scikit-learn used before its "auto" machine-epsilon default.

import type { Condition } from '../data/lsdcVocabulary';
import { GRADES } from '../data/lsdcVocabulary';
import { CLASS_COUNT, checkPredictions, type ProbabilityRow } from './classification';

/** Competition sample weights for Normal/Mild, Moderate, Severe. */
export const GRADE_SAMPLE_WEIGHTS: readonly number[] = [1, 2, 4];
const SEVERE = GRADES.indexOf('Severe');
export const DEFAULT_CLIP_EPSILON = 1e-15;

export interface GradedSample {
  studyId: string;
  level: string;
  /** True grade index (0 Normal/Mild, 1 Moderate, 2 Severe). */
  trueLabel: number;
  /** Predicted probabilities for Normal/Mild, Moderate, Severe. */
  probabilities: ProbabilityRow;
}

export interface RsnaScore {
  condition: Condition;
  /** L_condition: sample-weighted log loss over the samples. */
  conditionLoss: number;
  /** L_any for spinal canal stenosis; null for the other conditions. */
  anySevereLoss: number | null;
  /** The competition score for this condition (lower is better). */
  score: number;
  samples: number;
  studies: number;
}

function clip(value: number, eps: number): number {
  return Math.min(Math.max(value, eps), 1 - eps);
}

/** L_condition: weighted multi-class log loss, clip then renormalise each row, weights 1/2/4 by true grade. */
export function weightedLogLoss(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<ProbabilityRow>,
  eps = DEFAULT_CLIP_EPSILON,
): number {
  checkPredictions(trueLabels, probabilities);
  if (trueLabels.length === 0) throw new Error('rsna log loss: no samples to score');
  let weightedSum = 0;
  let weightTotal = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    const row = probabilities[i]!;
    let rowSum = 0;
    for (let k = 0; k < CLASS_COUNT; k++) rowSum += clip(row[k]!, eps);
    const label = trueLabels[i]!;
    const weight = GRADE_SAMPLE_WEIGHTS[label]!;
    weightedSum += weight * -Math.log(clip(row[label]!, eps) / rowSum);
    weightTotal += weight;
  }
  return weightedSum / weightTotal;
}

/** L_any: per-study binary log loss of "any level Severe" against the highest Severe probability. */
export function anySevereLoss(
  samples: readonly GradedSample[],
  eps = DEFAULT_CLIP_EPSILON,
): { loss: number; studies: number } {
  const studies = new Map<string, { anySevere: boolean; maxSevere: number; weight: number }>();
  for (const sample of samples) {
    const study = studies.get(sample.studyId) ?? { anySevere: false, maxSevere: -Infinity, weight: 0 };
    study.anySevere ||= sample.trueLabel === SEVERE;
    study.maxSevere = Math.max(study.maxSevere, sample.probabilities[SEVERE]!);
    study.weight = Math.max(study.weight, GRADE_SAMPLE_WEIGHTS[sample.trueLabel]!);
    studies.set(sample.studyId, study);
  }
  let weightedSum = 0;
  let weightTotal = 0;
  for (const study of studies.values()) {
    const predicted = clip(study.maxSevere, eps);
    weightedSum += study.weight * -Math.log(study.anySevere ? predicted : 1 - predicted);
    weightTotal += study.weight;
  }
  return { loss: weightedSum / weightTotal, studies: studies.size };
}

/** The competition score of one condition's predictions (see the formulas at the top of this file). */
export function rsnaConditionScore(
  condition: Condition,
  samples: readonly GradedSample[],
  eps = DEFAULT_CLIP_EPSILON,
): RsnaScore {
  if (samples.length === 0) throw new Error(`rsna log loss: no ${condition} samples to score`);
  const seen = new Set<string>();
  for (const sample of samples) {
    const key = `${sample.studyId}|${sample.level}`;
    if (seen.has(key)) {
      throw new Error(
        `rsna log loss: study ${sample.studyId} level ${sample.level} appears twice; score each level once`,
      );
    }
    seen.add(key);
  }
  const conditionLoss = weightedLogLoss(
    samples.map((sample) => sample.trueLabel),
    samples.map((sample) => sample.probabilities),
    eps,
  );
  const studyCount = new Set(samples.map((sample) => sample.studyId)).size;
  if (condition !== 'spinal_canal_stenosis') {
    return {
      condition,
      conditionLoss,
      anySevereLoss: null,
      score: conditionLoss,
      samples: samples.length,
      studies: studyCount,
    };
  }
  const anySevere = anySevereLoss(samples, eps);
  return {
    condition,
    conditionLoss,
    anySevereLoss: anySevere.loss,
    score: (conditionLoss + anySevere.loss) / 2,
    samples: samples.length,
    studies: studyCount,
  };
}

/** The scorer's condition groups: a group pools the left and right sides of a condition. */
export const COMPETITION_GROUPS = {
  spinalCanal: ['spinal_canal_stenosis'],
  neuralForaminal: ['left_neural_foraminal_narrowing', 'right_neural_foraminal_narrowing'],
  subarticular: ['left_subarticular_stenosis', 'right_subarticular_stenosis'],
} as const satisfies Record<string, readonly Condition[]>;

export interface ConditionGradedSample extends GradedSample {
  condition: Condition;
}

export interface CompetitionScore {
  /** The mean of the four terms below (lower is better). */
  score: number;
  spinalCanal: number;
  neuralForaminal: number;
  subarticular: number;
  anySevereSpinal: number;
  samples: number;
  studies: number;
}

/** The RSNA 2024 LSDC score of predictions for every condition (see the formulas at the top of this file). */
export function rsnaCompetitionScore(
  samples: readonly ConditionGradedSample[],
  eps = DEFAULT_CLIP_EPSILON,
): CompetitionScore {
  const seen = new Set<string>();
  for (const sample of samples) {
    const key = `${sample.studyId}|${sample.condition}|${sample.level}`;
    if (seen.has(key)) {
      throw new Error(
        `rsna score: study ${sample.studyId} ${sample.condition} at ${sample.level} appears twice; score each row once`,
      );
    }
    seen.add(key);
  }
  const groupLoss = (conditions: readonly Condition[]) => {
    const rows = samples.filter((sample) => conditions.includes(sample.condition));
    if (rows.length === 0) {
      throw new Error(`rsna score: no predictions for ${conditions.join(' or ')}; the score needs every condition`);
    }
    return {
      rows,
      loss: weightedLogLoss(
        rows.map((r) => r.trueLabel),
        rows.map((r) => r.probabilities),
        eps,
      ),
    };
  };
  const spinal = groupLoss(COMPETITION_GROUPS.spinalCanal);
  const terms = {
    spinalCanal: spinal.loss,
    neuralForaminal: groupLoss(COMPETITION_GROUPS.neuralForaminal).loss,
    subarticular: groupLoss(COMPETITION_GROUPS.subarticular).loss,
    anySevereSpinal: anySevereLoss(spinal.rows, eps).loss,
  };
  return {
    score: (terms.spinalCanal + terms.neuralForaminal + terms.subarticular + terms.anySevereSpinal) / 4,
    ...terms,
    samples: samples.length,
    studies: new Set(samples.map((sample) => sample.studyId)).size,
  };
}
