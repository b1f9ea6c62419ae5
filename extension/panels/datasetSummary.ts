// The dataset preview's summary: train.csv's grades per condition and level, the items the dataset scan leaves out
// with its reasons (core/data's index, as a run builds it), and the studies per split, from the dataset's split.csv
// when it has one, else from an experiment's data.split as a run would split the dataset.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { indexTables, SKIP_REASONS, splitDataset, SPLIT_NAMES, type DatasetTables } from '../../core/data';
import { CONDITION_LABELS, CONDITIONS, gradeColumn, LEVELS } from '../../core/data/lsdcVocabulary';
import { SPLIT_FILE, type SplitName, type SplitSettings } from '../../core/data/splits';
import { withDefaults } from '../../core/experiment/resolve';
import { nodeForPath } from '../../core/experiment/schemaLookup';
import { isRecord } from '../../core/json/isRecord';
import type { ConditionSummary, DatasetSummary, SplitSummary } from '../../webview/contract';
import { lenientYamlMapping } from '../runs/runFolders';

function conditionSummary(tables: DatasetTables, condition: (typeof CONDITIONS)[number]): ConditionSummary {
  const index = indexTables(tables, { condition });
  const levels = LEVELS.map((level) => {
    const grades = { 'Normal/Mild': 0, Moderate: 0, Severe: 0 };
    let ungraded = 0;
    for (const row of tables.train) {
      const grade = row.grades.get(gradeColumn(condition, level));
      if (grade === undefined) ungraded++;
      else grades[grade]++;
    }
    const samples = index.samples.filter((sample) => sample.level === level).length;
    return { level, grades, ungraded, samples };
  });
  const byReason = new Map<string, { count: number; example: string }>();
  for (const item of index.skipped) {
    const entry = byReason.get(item.reason) ?? {
      count: 0,
      example: `study ${item.studyId} ${item.level}: ${item.detail}`,
    };
    entry.count++;
    byReason.set(item.reason, entry);
  }
  const skipped = [...byReason.entries()]
    .map(([reason, { count, example }]) => ({
      reason,
      meaning: SKIP_REASONS[reason as keyof typeof SKIP_REASONS],
      count,
      example,
    }))
    .sort((a, b) => b.count - a.count);
  return { condition, title: CONDITION_LABELS[condition], levels, skipped };
}

/** Studies per split as the dataset's split.csv assigns them; a row naming no split is an error with its line. */
function splitFromFile(file: string): SplitSummary {
  const studies = { train: 0, val: 0, test: 0 };
  let records: Record<string, string>[];
  try {
    records = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    return { source: file, error: `${file}: ${(error as Error).message}` };
  }
  for (const [i, record] of records.entries()) {
    const split = record.split as SplitName;
    if (!SPLIT_NAMES.includes(split) || !record.study_id) {
      return {
        source: file,
        error: `${file} line ${i + 2}: expected study_id and a split of ${SPLIT_NAMES.join(', ')}, got ${JSON.stringify(record)}`,
      };
    }
    studies[split]++;
  }
  return { source: file, studies };
}

/**
 * An experiment's data.split with the schema's defaults for what it leaves out (the defaults alone without an
 * experiment). Under cross-validation the split shown is that of the first test fold the experiment runs.
 */
function splitSettingsOf(experimentText: string | undefined): SplitSettings {
  const data = experimentText === undefined ? undefined : lenientYamlMapping(experimentText)?.data;
  const given = isRecord(data) ? data.split : undefined;
  const split = withDefaults(nodeForPath(['data', 'split'])!, isRecord(given) ? given : {}) as Record<string, unknown>;
  const number = (key: string, fallback: number) =>
    typeof split[key] === 'number' ? (split[key] as number) : fallback;
  const folds = number('folds', 1);
  const fold = Array.isArray(split.fold) ? split.fold[0] : split.fold;
  return {
    train: number('train', 0),
    val: number('val', 0),
    test: number('test', 0),
    stratify: split.stratify !== false,
    seed: number('seed', 0),
    folds,
    fold: folds >= 2 ? (typeof fold === 'number' ? fold : 0) : null,
  };
}

function splitFromSettings(tables: DatasetTables, settings: SplitSettings, source: string): SplitSummary {
  try {
    const split = splitDataset(tables, settings);
    return {
      source,
      studies: { train: split.studies.train.length, val: split.studies.val.length, test: split.studies.test.length },
    };
  } catch (error) {
    return { source, error: `${source}: ${(error as Error).message}` };
  }
}

/** The summary of a dataset; `experiment` is the file the preview was opened from, with its text, if any. */
export function datasetSummary(tables: DatasetTables, experiment?: { file: string; text: string }): DatasetSummary {
  const splitFile = join(tables.root, SPLIT_FILE);
  const settings = splitSettingsOf(experiment?.text);
  const describe = `${settings.train} / ${settings.val} / ${settings.test}, seed ${settings.seed}${settings.folds >= 2 ? `, fold ${settings.fold} of ${settings.folds}` : ''}`;
  const split = existsSync(splitFile)
    ? splitFromFile(splitFile)
    : splitFromSettings(
        tables,
        settings,
        experiment === undefined
          ? `data.split's defaults (${describe})`
          : `data.split of ${experiment.file} (${describe})`,
      );
  return {
    studies: tables.train.length,
    conditions: CONDITIONS.map((condition) => conditionSummary(tables, condition)),
    split,
  };
}
