// `radlab dataset <root|experiment.yaml> [--condition c] [--json]`: what a dataset holds for a condition:
// studies, series, samples per level and grade, skipped items with their reasons, irregularities handled by a
// documented choice (notes), the spread of series geometry, and, given an experiment, the split it would train
// on. Without --condition a dataset root is summarised for every condition.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { stderr, stdout } from 'node:process';
import { parseArgs } from 'node:util';
import { resolveExperiment } from '../experiment/resolve';
import type { ResolvedRun } from '../experiment/resolvedRun';
import {
  countIndex,
  indexTables,
  NOTE_REASONS,
  SKIP_REASONS,
  type DatasetIndex,
  type IndexOptions,
} from '../data/datasetIndex';
import { SERIES_NOTE_REASONS, surveySeries, type SeriesSurvey } from '../data/seriesSurvey';
import { readDatasetTables, readHeldOutSeries, type SeriesRow } from '../data/datasetTables';
import { CONDITIONS, GRADES, type Condition } from '../data/lsdcVocabulary';
import { countSamplesBySplit, SPLIT_NAMES, splitDataset, type DatasetSplit } from '../data/splits';

export const USAGE = 'radlab dataset <dataset-root | file.experiment.yaml> [--condition <condition>] [--json]';

interface ConditionReport {
  condition: Condition;
  series: string;
  studies: number;
  seriesOfType: number;
  seriesTotal: number;
  samples: number;
  samplesByLevel: ReturnType<typeof countIndex>['samplesByLevel'];
  skippedByReason: ReturnType<typeof countIndex>['skippedByReason'];
  skipped: DatasetIndex['skipped'];
  notesByReason: ReturnType<typeof countIndex>['notesByReason'];
  notes: DatasetIndex['notes'];
  split?: {
    seed: number;
    stratify: boolean;
    studies: Record<string, number>;
    studiesByWorstGrade: DatasetSplit['studyCounts'];
    samplesByGrade: ReturnType<typeof countSamplesBySplit>;
  };
}

function describe(
  index: DatasetIndex,
  split: DatasetSplit | undefined,
  seed: number,
  stratify: boolean,
): ConditionReport {
  const counts = countIndex(index);
  const report: ConditionReport = {
    condition: index.condition,
    series: index.seriesDescription,
    studies: index.studies,
    seriesOfType: index.seriesOfType,
    seriesTotal: index.seriesTotal,
    samples: index.samples.length,
    ...counts,
    skipped: index.skipped,
    notes: index.notes,
  };
  if (split !== undefined) {
    report.split = {
      seed,
      stratify,
      studies: Object.fromEntries(SPLIT_NAMES.map((name) => [name, split.studies[name].length])),
      studiesByWorstGrade: split.studyCounts,
      samplesByGrade: countSamplesBySplit(split, index.samples),
    };
  }
  return report;
}

const row = (label: string, cells: (string | number)[]) =>
  `    ${label.padEnd(12)}${cells.map((c) => String(c).padStart(12)).join('')}\n`;

function formatHuman(root: string, reports: ConditionReport[], survey: SeriesSurvey): string {
  let text = `Dataset ${root}\n`;
  for (const report of reports) {
    text += `\n${report.condition} (labelled on ${report.series})\n`;
    text += `  studies ${report.studies}, series ${report.seriesOfType} of type ${report.series} (${report.seriesTotal} in all), samples ${report.samples}\n`;
    text += `  samples per level and grade:\n${row('', [...GRADES])}`;
    for (const [level, byGrade] of Object.entries(report.samplesByLevel))
      text += row(
        level,
        GRADES.map((g) => byGrade[g]),
      );
    const reasons = Object.entries(report.skippedByReason);
    text += reasons.length === 0 ? '  skipped: none\n' : '  skipped:\n';
    for (const [reason, count] of reasons)
      text += `    ${String(count).padStart(5)}  ${reason}: ${SKIP_REASONS[reason as keyof typeof SKIP_REASONS]}\n`;
    const notes = Object.entries(report.notesByReason);
    if (notes.length > 0) text += '  handled:\n';
    for (const [reason, count] of notes)
      text += `    ${String(count).padStart(5)}  ${reason}: ${NOTE_REASONS[reason as keyof typeof NOTE_REASONS]}\n`;
    if (report.split !== undefined) {
      text += `  split (seed ${report.split.seed}${report.split.stratify ? ', stratified by worst grade over all conditions' : ''}): studies by worst grade, samples by grade\n`;
      text += row('', ['studies', ...GRADES, 'samples']);
      for (const name of SPLIT_NAMES) {
        const samples = GRADES.map((g) => report.split!.samplesByGrade[name][g]);
        text += row(name, [
          report.split.studies[name]!,
          ...GRADES.map((g) => report.split!.studiesByWorstGrade[name][g]),
          samples.reduce((a, b) => a + b, 0),
        ]);
      }
    }
  }
  return text + formatSurvey(survey);
}

function formatSurvey(survey: SeriesSurvey): string {
  let text = `\nseries geometry (${survey.handling}):\n`;
  for (const spread of survey.byType) {
    const spacing =
      spread.pixelSpacingMm === null
        ? 'no PixelSpacing'
        : `pixel spacing ${spread.pixelSpacingMm.min}-${spread.pixelSpacingMm.max} mm`;
    text += `  ${spread.description}: ${spread.series} series, ${spread.slices.min}-${spread.slices.max} slices, ${spacing}, matrices ${spread.matrices.join(', ')}\n`;
  }
  const counts = new Map<string, number>();
  for (const note of survey.notes) counts.set(note.reason, (counts.get(note.reason) ?? 0) + 1);
  for (const [reason, count] of counts)
    text += `    ${String(count).padStart(5)}  ${reason}: ${SERIES_NOTE_REASONS[reason as keyof typeof SERIES_NOTE_REASONS]}\n`;
  return text;
}

/** Studies and series per type of the held-out part (test_series_descriptions.csv and test_images/). */
function describeHeldOut(rows: SeriesRow[]): { studies: number; seriesByType: Record<string, number> } {
  const seriesByType: Record<string, number> = {};
  for (const row of rows) seriesByType[row.description] = (seriesByType[row.description] ?? 0) + 1;
  return { studies: new Set(rows.map((row) => row.studyId)).size, seriesByType };
}

export async function run(args: string[]): Promise<number> {
  let values: { condition?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { condition: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    stderr.write(`radlab dataset: ${(error as Error).message}\nUsage: ${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    stdout.write(`Usage: ${USAGE}\nConditions: ${CONDITIONS.join(', ')}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    stderr.write(`radlab dataset: give one dataset folder or experiment file.\nUsage: ${USAGE}\n`);
    return 2;
  }
  if (values.condition !== undefined && !(CONDITIONS as readonly string[]).includes(values.condition)) {
    stderr.write(`radlab dataset: unknown condition '${values.condition}'; expected one of ${CONDITIONS.join(', ')}\n`);
    return 2;
  }
  const target = resolve(positionals[0]!);
  try {
    const isFile = (await stat(target)).isFile();
    let selections: IndexOptions[];
    let root = target;
    let split: ResolvedRun['data']['split'] | undefined;
    if (isFile) {
      const resolved = resolveExperiment(await readFile(target, 'utf8'), target);
      if (!resolved.ok) {
        const errors = resolved.diagnostics.filter((d) => d.severity === 'error');
        stderr.write(
          errors
            .map((d) => `${target}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}\n`)
            .join(''),
        );
        stderr.write(
          `radlab dataset: the experiment has ${errors.length} error(s); run 'radlab validate ${positionals[0]}'.\n`,
        );
        return 1;
      }
      const data = resolved.runs[0]!.data;
      root = data.root;
      split = data.split;
      const conditions =
        values.condition === undefined
          ? [...new Set(resolved.runs.map((run) => run.data.condition))]
          : [values.condition as Condition];
      selections = conditions.map((condition) => ({ condition, levels: data.levels, series: data.series }));
    } else {
      const conditions = values.condition === undefined ? CONDITIONS : [values.condition as Condition];
      selections = conditions.map((condition) => ({ condition }));
    }
    const tables = await readDatasetTables(root);
    // One split for the whole dataset, whichever condition is described (see core/data/splits.ts).
    const datasetSplit = split === undefined ? undefined : splitDataset(tables, split);
    const reports = selections.map((selection) =>
      describe(indexTables(tables, selection), datasetSplit, split?.seed ?? 0, split?.stratify ?? false),
    );
    const survey = await surveySeries(root, tables.series, [...new Set(reports.map((report) => report.series))]);
    const heldOutRows = await readHeldOutSeries(root);
    const heldOut = heldOutRows === undefined ? undefined : describeHeldOut(heldOutRows);
    stdout.write(
      values.json
        ? JSON.stringify({ root, conditions: reports, series: survey, heldOut }, null, 2) + '\n'
        : formatHuman(root, reports, survey) +
            (heldOut === undefined
              ? ''
              : `\nheld out (test_series_descriptions.csv, test_images/): ${heldOut.studies} studies, series ` +
                `${Object.entries(heldOut.seriesByType)
                  .map(([type, count]) => `${count} ${type}`)
                  .join(', ')}\n`),
    );
    return 0;
  } catch (error) {
    stderr.write(`radlab dataset: ${(error as Error).message}\n`);
    return 1;
  }
}
