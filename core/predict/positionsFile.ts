// The predicted positions beside a submission, machine-readable (`radlab predict --positions <file.json>`): where
// each localizer put each level of each study — the slice file, its InstanceNumber and x, y in pixels of that
// slice, as train_label_coordinates.csv writes them — keyed by the submission's row_id, so a viewer can draw a
// level's position with its grade probabilities.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONDITIONS, LEVELS, levelColumnSuffix } from '../data/lsdcVocabulary';
import { isRecord } from '../json/isRecord';
import type { LocatedLevel } from './predictStudies';

const FORMAT = 'radlab-positions/1';

export interface PredictedPosition extends LocatedLevel {
  /** The submission row graded at this position: `<study>_<condition>_<level suffix>`. */
  rowId: string;
}

export interface PositionsFile {
  format: typeof FORMAT;
  positions: PredictedPosition[];
}

export function writePositions(path: string, located: readonly LocatedLevel[]): void {
  const file: PositionsFile = {
    format: FORMAT,
    positions: located.map((level) => ({
      rowId: `${level.studyId}_${level.condition}_${levelColumnSuffix(level.level)}`,
      ...level,
    })),
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

function isPosition(value: unknown): value is PredictedPosition {
  return (
    isRecord(value) &&
    ['rowId', 'studyId', 'seriesId', 'file'].every((key) => typeof value[key] === 'string') &&
    (CONDITIONS as readonly unknown[]).includes(value.condition) &&
    (LEVELS as readonly unknown[]).includes(value.level) &&
    (value.instanceNumber === null || Number.isInteger(value.instanceNumber)) &&
    Number.isFinite(value.x) &&
    Number.isFinite(value.y)
  );
}

/** Reads a positions file, refusing one of another format or with a malformed entry (named by its index). */
export function readPositions(path: string): PredictedPosition[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read the predicted positions (${(error as Error).message})`);
  }
  if (!isRecord(value) || value.format !== FORMAT || !Array.isArray(value.positions))
    throw new Error(
      `${path}: not a RadLab positions file (format ${FORMAT}); write it with radlab predict --positions`,
    );
  const bad = value.positions.findIndex((entry) => !isPosition(entry));
  if (bad >= 0) throw new Error(`${path}: positions[${bad}] is malformed; write the file again with radlab predict`);
  return value.positions as PredictedPosition[];
}
