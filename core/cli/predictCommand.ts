// `radlab predict <run folder>... <images root> [--series-descriptions csv] [--out submission.csv] [--labels
// train.csv] [--positions <file.json>] [--study <id>]`: grades studies that have only DICOM with trained runs
// (localizers and graders) and writes the competition's submission, and with --positions where each level was
// located; with labels, prints the score. Problems with single studies or files are warnings.
import { resolve } from 'node:path';
import { stderr, stdout } from 'node:process';
import { releaseEngine, selectEngine } from '../engine/selectEngine';
import { predictStudies } from '../predict/predictStudies';
import { readStudyFolders } from '../predict/studyFolders';
import { writePositions } from '../predict/positionsFile';
import { scorePredictions, writeSubmission } from '../predict/submission';
import {
  groundTruthTestScore,
  loadTrainedRun,
  testStudiesOf,
  type TrainedClassifier,
  type TrainedRun,
} from '../predict/trainedRuns';
import { parseCommandArgs } from './commandArgs';

export const USAGE =
  'radlab predict <run folder>... <images root> [--series-descriptions <csv>] [--out <submission.csv>] [--labels <train.csv>] [--test-of <run folder>] [--positions <file.json>] [--study <id>] [--threads <N>]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('predict', USAGE, args, {
    'series-descriptions': { type: 'string' },
    out: { type: 'string' },
    labels: { type: 'string' },
    'test-of': { type: 'string' },
    positions: { type: 'string' },
    study: { type: 'string' },
    threads: { type: 'string' },
  });
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  if (positionals.length < 2) {
    stderr.write(`radlab predict: give at least one run folder and the images folder.\n${USAGE}\n`);
    return 2;
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    stderr.write(`radlab predict: --threads takes a whole number from 1 (got '${values.threads}').\n`);
    return 2;
  }
  const imagesRoot = resolve(positionals[positionals.length - 1]!);
  const out = resolve(values.out ?? 'submission.csv');
  await selectEngine({ engine: 'auto', ...(threads !== undefined ? { threads } : {}) });
  const runs: TrainedRun[] = [];
  try {
    for (const path of positionals.slice(0, -1)) {
      const trained = await loadTrainedRun(resolve(path));
      runs.push(trained);
      const what =
        trained.kind === 'localizer'
          ? `localizer for ${trained.description.condition}`
          : `grades ${trained.run.data.condition}`;
      stdout.write(`${trained.dir}: ${what}\n`);
    }
    const descriptions =
      values['series-descriptions'] === undefined ? undefined : resolve(values['series-descriptions']);
    const layout = await readStudyFolders(imagesRoot, descriptions);
    // Grading a run's own test studies from their images alone gives its test score with located levels, to
    // set beside the score it had at the marked coordinates.
    if (values['test-of'] !== undefined) {
      const test = testStudiesOf(resolve(values['test-of']));
      layout.studies = layout.studies.filter((study) => test.has(study.studyId));
      stdout.write(`Grading the ${layout.studies.length} test studies of ${values['test-of']}\n`);
    }
    if (values.study !== undefined) {
      layout.studies = layout.studies.filter((study) => study.studyId === values.study);
      if (layout.studies.length === 0)
        throw new Error(`${imagesRoot} has no study folder ${values.study} (<study_id>/<series_id>/<instance>.dcm)`);
    }
    if (layout.studies.length === 0)
      throw new Error(`${imagesRoot} holds no study folders (<study_id>/<series_id>/<instance>.dcm)`);
    const outcome = await predictStudies(runs, layout.studies, (done, total) => {
      if (stdout.isTTY) stdout.write(`\rPredicting: ${done}/${total} studies`);
    });
    if (stdout.isTTY) stdout.write('\n');
    for (const warning of outcome.warnings) stderr.write(`warning: ${warning}\n`);
    const unreadable = [...layout.unreadable, ...outcome.unreadable];
    const listed = new Set<string>();
    for (const { file, error } of unreadable) {
      if (listed.has(file)) continue;
      listed.add(file);
      stderr.write(`skipped unreadable file ${file}: ${error}\n`);
    }
    writeSubmission(out, outcome.rows);
    if (values.positions !== undefined) {
      writePositions(resolve(values.positions), outcome.located);
      stdout.write(`Wrote ${outcome.located.length} predicted level positions to ${resolve(values.positions)}\n`);
    }
    const fromPrior = outcome.rows.filter((row) => row.from === 'prior').length;
    stdout.write(
      `Wrote ${outcome.rows.length} rows for ${layout.studies.length} studies to ${out}` +
        `${fromPrior > 0 ? ` (${fromPrior} from the training prior)` : ''}; ${listed.size} unreadable file(s) skipped.\n`,
    );
    if (values.labels !== undefined) {
      const score = await scorePredictions(outcome.rows, resolve(values.labels));
      for (const [condition, term] of Object.entries(score.conditions)) {
        const any =
          term.anySevereLoss === null
            ? ''
            : ` (weighted log loss ${term.conditionLoss.toFixed(4)}, any_severe_spinal ${term.anySevereLoss.toFixed(4)})`;
        const grader = runs.find(
          (r): r is TrainedClassifier => r.kind === 'classifier' && r.run.data.condition === condition,
        );
        const atMarks =
          values['test-of'] !== undefined && grader !== undefined ? groundTruthTestScore(grader) : undefined;
        const beside =
          atMarks === undefined ? '' : `; the run's test score at the marked coordinates: ${atMarks.toFixed(4)}`;
        stdout.write(
          `${condition}: score ${term.score.toFixed(4)}${any} over ${term.samples} levels of ${term.studies} studies${beside}\n`,
        );
      }
      if (score.competition !== undefined) {
        const c = score.competition;
        stdout.write(
          `Competition score ${c.score.toFixed(4)}: spinal canal ${c.spinalCanal.toFixed(4)}, foraminal ${c.neuralForaminal.toFixed(4)}, ` +
            `subarticular ${c.subarticular.toFixed(4)}, any_severe_spinal ${c.anySevereSpinal.toFixed(4)}\n`,
        );
      }
      if (score.unlabelled > 0)
        stdout.write(`${score.unlabelled} predicted rows have no label in ${values.labels} and are not scored.\n`);
    }
    return 0;
  } finally {
    for (const trained of runs) {
      trained.model.dispose();
      if (trained.kind === 'localizer') trained.refiner?.dispose();
    }
    releaseEngine();
  }
}
