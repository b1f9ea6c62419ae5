// `radlab predict --positions` on one synthetic study (seed 5317, used by no other test): the file names, for each
// level, the slice file and pixel the localizer chose. The localizer here is the mean-position baseline a
// localizer run starts from (its last layer is zero, so it outputs its origin): its origin is set to the mean
// marked position of the other studies, computed here from train_label_coordinates.csv, so the position it must
// write is known by hand (fraction x columns - 0.5), and the study's own marks, which the generator drew, must lie
// within half a crop of it. With an untrained refinement stage, each level moves to its square's centre, also by hand.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { LEVELS } from '../../core/data/lsdcVocabulary';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import { readDicomMeta } from '../../core/dicom';
import { selectEngine } from '../../core/engine/selectEngine';
import { readPositions } from '../../core/predict/positionsFile';
import { TINY_CROP_MM as CROP_MM, untrainedRunFolder } from '../helpers/untrainedRunFolder';

const repo = join(__dirname, '..', '..');
const SEED = 5317;

interface Mark {
  study: string;
  series: string;
  instance: number;
  level: string;
  x: number;
  y: number;
}

describe('radlab predict --positions', { timeout: 600_000 }, () => {
  let workspace: string;
  let dataset: string;
  let target: string;
  let targetMarks: Mark[];
  let origin: [number, number][];
  let columns: number;
  let rows: number;
  let spacing: [number, number];
  const runs: string[] = [];

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'radlab-positions-'));
    dataset = join(workspace, 'dataset');
    await ensureSyntheticDataset(dataset, { studies: 6, seed: SEED });
    const csv = (name: string) =>
      parse(readFileSync(join(dataset, name), 'utf8'), { columns: true }) as Record<string, string>[];
    const sagittalT2 = new Set(
      csv('train_series_descriptions.csv')
        .filter((row) => row.series_description === 'Sagittal T2/STIR')
        .map((row) => row.series_id),
    );
    const marks: Mark[] = csv('train_label_coordinates.csv')
      .filter((row) => row.condition === 'Spinal Canal Stenosis' && sagittalT2.has(row.series_id!))
      .map((row) => ({
        study: row.study_id!,
        series: row.series_id!,
        instance: Number(row.instance_number),
        level: row.level!,
        x: Number(row.x),
        y: Number(row.y),
      }));
    const studies = [...new Set(marks.map((mark) => mark.study))].sort();
    target = studies[studies.length - 1]!;
    targetMarks = marks.filter((mark) => mark.study === target);
    assert.equal(targetMarks.length, 5, 'the study to predict has its five spinal canal marks');
    const meta = await readDicomMeta(
      join(dataset, 'train_images', target, targetMarks[0]!.series, `${targetMarks[0]!.instance}.dcm`),
    );
    ({ rows, columns } = meta);
    spacing = meta.pixelSpacing!;
    // A square slice with square pixels is framed whole by the localizer: fractions are (x + 0.5) / columns.
    assert.equal(rows, columns);
    assert.equal(spacing[0], spacing[1]);
    origin = LEVELS.map((level) => {
      const others = marks.filter((mark) => mark.study !== target && mark.level === level);
      const mean = (pick: (mark: Mark) => number) => others.reduce((sum, mark) => sum + pick(mark), 0) / others.length;
      return [mean((mark) => (mark.x + 0.5) / columns), mean((mark) => (mark.y + 0.5) / rows)];
    });
    await selectEngine({ engine: 'wasm', threads: 1 });
    runs.push(
      await untrainedRunFolder(workspace, 'spinal_canal_stenosis', 'localizer', origin),
      await untrainedRunFolder(workspace, 'spinal_canal_stenosis', 'classifier'),
    );
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  /** Runs radlab predict --positions on the target study; the submission's rows and the positions it wrote. */
  function predictPositions(localizer: string) {
    const out = join(workspace, 'submission.csv');
    const positionsFile = join(workspace, 'positions.json');
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repo, 'core', 'cli.ts'),
        'predict',
        localizer,
        ...runs.slice(1),
        join(dataset, 'train_images'),
        '--series-descriptions',
        join(dataset, 'train_series_descriptions.csv'),
        '--study',
        target,
        '--out',
        out,
        '--positions',
        positionsFile,
      ],
      { encoding: 'utf8', cwd: repo },
    );
    assert.equal(result.status, 0, result.stderr + result.stdout);
    return {
      submission: parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[],
      positions: readPositions(positionsFile),
    };
  }

  it("writes each level's slice and pixel for the one study asked for, near the generator's marks", () => {
    const { submission, positions } = predictPositions(runs[0]!);
    assert.deepEqual(
      submission.map((row) => row.row_id),
      ['l1_l2', 'l2_l3', 'l3_l4', 'l4_l5', 'l5_s1'].map((suffix) => `${target}_spinal_canal_stenosis_${suffix}`),
      'only the study asked for is graded',
    );

    assert.deepEqual(
      positions.map((position) => [position.rowId, position.level]),
      submission.map((row, i) => [row.row_id, LEVELS[i]]),
    );
    const series = targetMarks[0]!.series;
    for (const [i, position] of positions.entries()) {
      const mark = targetMarks.find((m) => m.level === position.level)!;
      assert.equal(position.studyId, target);
      assert.equal(position.condition, 'spinal_canal_stenosis');
      assert.equal(position.seriesId, series);
      assert.equal(dirname(position.file), join(dataset, 'train_images', target, series));
      assert.equal(basename(position.file), `${position.instanceNumber}.dcm`, 'the instance number names the file');
      // The baseline's output, by hand: the origin fraction of the whole slice.
      assert.ok(Math.abs(position.x - (origin[i]![0] * columns - 0.5)) < 1e-3, `${position.level} x ${position.x}`);
      assert.ok(Math.abs(position.y - (origin[i]![1] * rows - 0.5)) < 1e-3, `${position.level} y ${position.y}`);
      // Against the generator's own marks: within half a crop in the plane, and on or beside the marked slice.
      const mm = Math.hypot((position.x - mark.x) * spacing[1], (position.y - mark.y) * spacing[0]);
      assert.ok(mm < CROP_MM / 2, `${position.level} is ${mm.toFixed(1)} mm from its mark`);
      assert.ok(
        Math.abs(position.instanceNumber! - mark.instance) <= 2,
        `${position.level} on instance ${position.instanceNumber}, marked on ${mark.instance}`,
      );
    }
  });

  it("moves each level by its refinement stage: an untrained one puts it at the centre of the grading crop's square", async () => {
    // 40 mm squares: w pixels wide, starting at round(x - w / 2); an untrained refiner outputs the square's
    // centre fraction (0.5), which is left - 0.5 + w / 2 in slice pixels.
    const refine = { cropMm: 40, size: 32, jitterMm: 10 };
    const localizer = await untrainedRunFolder(workspace, 'spinal_canal_stenosis', 'localizer', origin, refine);
    const { positions } = predictPositions(localizer);
    const side = Math.round(refine.cropMm / spacing[1]);
    for (const [i, position] of positions.entries()) {
      const coarse = [origin[i]![0] * columns - 0.5, origin[i]![1] * rows - 0.5];
      const [x, y] = coarse.map((at) => Math.round(at - side / 2) - 0.5 + side / 2);
      assert.ok(Math.abs(position.x - x!) < 1e-3, `${position.level} x ${position.x}, by hand ${x}`);
      assert.ok(Math.abs(position.y - y!) < 1e-3, `${position.level} y ${position.y}, by hand ${y}`);
      // Within a pixel of the coarse position, up and to the left (rounding the square's corner, then half a pixel).
      for (const [at, was] of [
        [position.x, coarse[0]!],
        [position.y, coarse[1]!],
      ])
        assert.ok(at! - was! >= -1 && at! - was! <= 0, `${position.level}: ${at} from ${was}`);
    }
  });
});
