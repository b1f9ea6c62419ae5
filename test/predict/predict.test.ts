// `radlab predict` on a synthetic test layout from its own seed (8611, used by no other test), with run folders
// holding untrained networks: what is checked is the plumbing — which rows are written, that each is a
// probability distribution, that levels without a usable image get the grading run's training prior (counted
// here from train.csv and the split independently), and that a missing series and a broken file are reported
// while every other study is still graded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { CONDITIONS, LEVELS, levelColumnSuffix } from '../../core/data/lsdcVocabulary';
import { splitDataset } from '../../core/data/splits';
import { readDatasetTables } from '../../core/data/datasetTables';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import { selectEngine } from '../../core/engine/selectEngine';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import { tinyResolvedRun, untrainedRunFolder } from '../helpers/untrainedRunFolder';

const repo = join(__dirname, '..', '..');
const SEED = 8611;
let workspace: string;
let dataset: string;
let images: string;
let studies: string[];

function predict(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'core', 'cli.ts'), 'predict', ...args], {
    encoding: 'utf8',
    cwd: repo,
  });
}

function readSubmission(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
}

/** The spinal-canal training prior counted from train.csv and the split: (count + 1) / (total + 3). */
async function expectedPrior(run: ResolvedRun): Promise<number[]> {
  const tables = await readDatasetTables(dataset);
  const split = splitDataset(tables, run.data.split);
  const rows = parse(readFileSync(join(dataset, 'train.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const counts = [1, 1, 1];
  for (const row of rows) {
    if (split.splitOf.get(row.study_id!) !== 'train') continue;
    for (const level of LEVELS) {
      const grade = row[`spinal_canal_stenosis_${levelColumnSuffix(level)}`];
      if (grade) counts[['Normal/Mild', 'Moderate', 'Severe'].indexOf(grade)]!++;
    }
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

describe('radlab predict', { timeout: 900_000 }, () => {
  let runs: string[];
  let missingSeriesStudy: string;
  let brokenFile: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'radlab-predict-'));
    dataset = join(workspace, 'dataset');
    await ensureSyntheticDataset(dataset, { studies: 4, seed: SEED });
    await selectEngine({ engine: 'wasm', threads: 1 });
    runs = [await untrainedRunFolder(workspace, 'spinal_canal_stenosis', 'localizer')];
    for (const condition of CONDITIONS) runs.push(await untrainedRunFolder(workspace, condition, 'classifier'));
    // The test layout: the dataset's images, one study without its sagittal T2/STIR, one file broken.
    images = join(workspace, 'test_images');
    cpSync(join(dataset, 'train_images'), images, { recursive: true });
    studies = readdirSync(images).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const series = parse(readFileSync(join(dataset, 'train_series_descriptions.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    const sagittalT2 = (study: string) =>
      series.find((row) => row.study_id === study && row.series_description === 'Sagittal T2/STIR')!.series_id!;
    missingSeriesStudy = studies[1]!;
    rmSync(join(images, missingSeriesStudy, sagittalT2(missingSeriesStudy)), { recursive: true });
    const brokenSeries = join(images, studies[2]!, sagittalT2(studies[2]!));
    const files = readdirSync(brokenSeries).sort((a, b) => parseInt(a) - parseInt(b));
    brokenFile = join(brokenSeries, files[Math.floor(files.length / 2)]!);
    writeFileSync(brokenFile, readFileSync(brokenFile).subarray(0, 300));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('writes 25 rows per study, each a probability distribution, reports what it could not use, and scores', async () => {
    const out = join(workspace, 'submission.csv');
    const result = predict(
      ...runs,
      images,
      '--series-descriptions',
      join(dataset, 'train_series_descriptions.csv'),
      '--out',
      out,
      '--labels',
      join(dataset, 'train.csv'),
    );
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const rows = readSubmission(out);
    assert.deepEqual(Object.keys(rows[0]!), ['row_id', 'normal_mild', 'moderate', 'severe']);
    const expectedIds = studies.flatMap((study) =>
      CONDITIONS.flatMap((condition) => LEVELS.map((level) => `${study}_${condition}_${levelColumnSuffix(level)}`)),
    );
    assert.deepEqual(
      rows.map((row) => row.row_id),
      expectedIds,
    );
    for (const row of rows) {
      const sum = Number(row.normal_mild) + Number(row.moderate) + Number(row.severe);
      assert.ok(Math.abs(sum - 1) < 1e-6, `${row.row_id} sums to ${sum}`);
    }
    assert.match(result.stderr, new RegExp(`study ${missingSeriesStudy} has no Sagittal T2/STIR series`));
    assert.match(result.stderr, new RegExp(`skipped unreadable file ${brokenFile.replace(/[/\\.]/g, '\\$&')}`));
    assert.match(result.stderr, /no localizer run for left_neural_foraminal_narrowing/);
    assert.match(result.stdout, /spinal_canal_stenosis: score \d+\.\d{4}/);
    assert.match(result.stdout, /Competition score \d+\.\d{4}: spinal canal/);

    const prior = await expectedPrior(tinyResolvedRun(workspace, 'spinal_canal_stenosis', 'classifier'));
    const spinal = (study: string) => rows.filter((row) => row.row_id.startsWith(`${study}_spinal_canal_stenosis_`));
    for (const row of spinal(missingSeriesStudy)) {
      assert.deepEqual(
        [row.normal_mild, row.moderate, row.severe].map(Number),
        prior,
        `${row.row_id} has the training prior`,
      );
    }
    for (const study of [studies[0]!, studies[2]!]) {
      assert.ok(
        spinal(study).some((row) => Math.abs(Number(row.normal_mild) - prior[0]!) > 1e-9),
        `study ${study}, with its series, is graded by the model, not the prior`,
      );
    }

    // Without the CSV, the series types come from the files' SeriesDescription: the same rows.
    const withoutCsv = join(workspace, 'without-csv.csv');
    const second = predict(...runs, images, '--out', withoutCsv);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(readSubmission(withoutCsv), rows);
  });

  it("--test-of grades only that run's test studies and sets its score at the marked coordinates beside", () => {
    // The spinal-canal grading run's split and test score, written by hand: studies 0 and 3 are its test studies.
    const grader = runs[1 + CONDITIONS.indexOf('spinal_canal_stenosis')]!;
    const testStudies = [studies[0]!, studies[3]!];
    writeFileSync(
      join(grader, 'split.csv'),
      ['study_id,split', ...studies.map((s) => `${s},${testStudies.includes(s) ? 'test' : 'train'}`), ''].join('\n'),
    );
    mkdirSync(join(grader, 'results'), { recursive: true });
    writeFileSync(join(grader, 'results', 'metrics.json'), JSON.stringify({ test: { rsna: { score: 0.4321 } } }));
    const out = join(workspace, 'test-of.csv');
    const result = predict(
      runs[0]!,
      grader,
      images,
      '--out',
      out,
      '--labels',
      join(dataset, 'train.csv'),
      '--test-of',
      grader,
    );
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Grading the 2 test studies of /);
    const graded = new Set(readSubmission(out).map((row) => row.row_id.split('_')[0]));
    assert.deepEqual([...graded].sort(), [...testStudies].sort());
    assert.match(
      result.stdout,
      /spinal_canal_stenosis: score \d+\.\d{4} .* over \d+ levels of 2 studies; the run's test score at the marked coordinates: 0\.4321/,
    );

    const withoutSplit = predict(runs[0]!, runs[2]!, images, '--out', out, '--test-of', runs[2]!);
    assert.equal(withoutSplit.status, 1);
    assert.match(withoutSplit.stderr, /has no split\.csv, so its test studies are unknown/);
  });

  it('refuses a folder that holds no run, naming it', () => {
    const result = predict(join(workspace, 'dataset'), images);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /dataset holds no completed run folder/);
  });
});
