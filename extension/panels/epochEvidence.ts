// One epoch's validation evidence for the run panel's epoch scrubber, read from the run folder's
// results/val_predictions (core/run/epochPredictions): the confusion matrix and per-grade scores of that epoch's
// predictions, and the rows themselves for the gallery.
import { GRADES } from '../../core/data/lsdcVocabulary';
import { argmaxRows, classificationReport } from '../../core/metrics/classification';
import { readEpochProbabilities, readValidationRows } from '../../core/run/epochPredictions';
import type { EpochEvidence, PredictionRow } from '../../webview/contract';
import { parseRowId } from './runFolderModel';

export function readEpochEvidence(
  runDir: string,
  epoch: number,
  gallery: boolean,
): { evidence: EpochEvidence; rows: PredictionRow[] } {
  try {
    const validation = readValidationRows(runDir);
    const probabilities = readEpochProbabilities(runDir, epoch, validation.length);
    const truth = validation.map((row) => GRADES.indexOf(row.trueLabel));
    const report = classificationReport(truth, probabilities);
    const predicted = argmaxRows(probabilities);
    const rows = validation.map((row, i): PredictionRow => ({
      rowId: row.rowId,
      studyId: parseRowId(row.rowId)?.studyId ?? row.rowId,
      level: row.level,
      trueLabel: row.trueLabel,
      predictedLabel: GRADES[predicted[i]!]!,
      probabilities: probabilities[i]!,
    }));
    return { evidence: { epoch, summary: report, problem: null, gallery }, rows };
  } catch (error) {
    const problem =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `No validation predictions are stored for epoch ${epoch} (${(error as NodeJS.ErrnoException).path}): runs from before RadLab kept them per epoch, or the epoch has not ended.`
        : (error as Error).message;
    return { evidence: { epoch, summary: null, problem, gallery }, rows: [] };
  }
}
