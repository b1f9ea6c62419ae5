// results/metrics.json: the shape written by `radlab run` and read by the editor's panels; one definition both
// sides import, so a panel can never read a field the trainer does not write.
import type { CalibrationReport } from '../metrics/calibration';
import type { ClassificationReport } from '../metrics/classification';
import type { LevelLogLoss } from '../metrics/levelLogLoss';
import type { PrecisionRecallReport } from '../metrics/precisionRecall';
import type { RocReport } from '../metrics/roc';
import type { RsnaScore } from '../metrics/rsnaLogLoss';
import type { TemperatureScalingReport } from '../metrics/temperatureScaling';
import type { EpochHistory } from '../train/trainingCheckpoint';

export const METRICS_FILE = 'metrics.json';

export interface RunMetricsFile {
  condition: string;
  backbone: string;
  /** The epoch whose checkpoint was tested, chosen by `selectedBy` on the validation split. */
  bestEpoch: number;
  selectedBy: string;
  /** Test split, with the best checkpoint; per-level breakdown in test.perLevel. */
  test: ClassificationReport & {
    roc: RocReport;
    rsna: RsnaScore;
    // Run folders written by earlier versions of radlab lack the three below.
    /** Reliability diagrams and ECE. */
    calibration?: CalibrationReport;
    /** One-vs-rest precision-recall curves and average precision. */
    precisionRecall?: PrecisionRecallReport;
    /** The weighted log loss (rsna.conditionLoss) per level and each level's contribution to it. */
    rsnaByLevel?: LevelLogLoss[];
  };
  /** Present when train.calibrate is temperature: T fitted on validation, test scores before and after. */
  temperatureScaling?: TemperatureScalingReport;
  history: EpochHistory[];
}
