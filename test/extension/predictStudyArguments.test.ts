// What Predict Study hands to `radlab predict`, from folders written here: a study folder's images root and the
// series descriptions file of its part of the dataset, a refusal naming a folder that is no study, each run's task
// from its resolved experiment, the newest run of each task and condition ticked, and the lines of predict's
// error output the user is shown.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  newestPerTask,
  predictArguments,
  predictNotes,
  runTaskOf,
  studyLayout,
} from '../../extension/commands/predictStudyArguments';

let root: string;

describe('Predict Study arguments', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'radlab-predict-study-'));
    for (const part of ['test_images', 'train_images']) {
      mkdirSync(join(root, part, '7', '70'), { recursive: true });
      writeFileSync(join(root, part, '7', '70', '1.dcm'), '');
    }
    writeFileSync(join(root, 'test_series_descriptions.csv'), 'study_id,series_id,series_description\n');
    mkdirSync(join(root, 'elsewhere', '7', 'notes'), { recursive: true });
    writeFileSync(join(root, 'elsewhere', '7', 'notes', 'a.txt'), '');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("finds a study's images root and its part's series descriptions, and builds predict's arguments", () => {
    const layout = studyLayout(join(root, 'test_images', '7'));
    assert.deepEqual(layout, {
      studyFolder: join(root, 'test_images', '7'),
      studyId: '7',
      imagesRoot: join(root, 'test_images'),
      seriesDescriptions: join(root, 'test_series_descriptions.csv'),
    });
    // train_series_descriptions.csv is not there: the series types come from the files.
    assert.equal(
      (studyLayout(join(root, 'train_images', '7')) as { seriesDescriptions?: string }).seriesDescriptions,
      undefined,
    );
    assert.ok(!('problem' in layout));
    const files = { folder: '/p/7', submission: '/p/7/submission.csv', positions: '/p/7/positions.json' };
    assert.deepEqual(predictArguments(['/runs/loc', '/runs/grade'], layout, files), [
      'predict',
      '/runs/loc',
      '/runs/grade',
      join(root, 'test_images'),
      '--study',
      '7',
      '--series-descriptions',
      join(root, 'test_series_descriptions.csv'),
      '--out',
      '/p/7/submission.csv',
      '--positions',
      '/p/7/positions.json',
    ]);
  });

  it('refuses a folder without series folders of DICOM files, saying what to choose', () => {
    const layout = studyLayout(join(root, 'elsewhere', '7'));
    assert.ok('problem' in layout);
    assert.match(layout.problem, /7 holds no series folders with \.dcm files: choose a study folder/);
  });

  it("reads a run's task and condition, and ticks the newest run of each", () => {
    const run = (name: string, task: string | undefined) => {
      const dir = join(root, 'runs', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'experiment.resolved.yaml'),
        `data:\n  condition: spinal_canal_stenosis\nmodel:\n${task === undefined ? '' : `  task: ${task}\n`}  backbone: resnet18\n`,
      );
      return dir;
    };
    const localizer = run('loc', 'localizer');
    const grader = run('grade', undefined);
    assert.deepEqual(runTaskOf(localizer), { task: 'localizer', condition: 'spinal_canal_stenosis' });
    assert.deepEqual(runTaskOf(grader), { task: 'classifier', condition: 'spinal_canal_stenosis' });
    assert.equal(runTaskOf(join(root, 'runs', 'missing')), undefined);
    const newer = { dir: 'new', task: { task: 'classifier' as const, condition: 'spinal_canal_stenosis' } };
    const older = { ...newer, dir: 'old' };
    const loc = { dir: 'loc', task: { task: 'localizer' as const, condition: 'spinal_canal_stenosis' } };
    assert.deepEqual([...newestPerTask([newer, loc, older])], ['new', 'loc']);
  });

  it("keeps predict's warnings and skipped files from its error output", () => {
    assert.deepEqual(
      predictNotes([
        'warning: study 7 has no Sagittal T2/STIR series: its spinal_canal_stenosis rows get the training prior',
        'skipped unreadable file /d/7/70/3.dcm: not DICOM',
        'some engine noise',
      ]),
      {
        warnings: ['study 7 has no Sagittal T2/STIR series: its spinal_canal_stenosis rows get the training prior'],
        skipped: ['skipped unreadable file /d/7/70/3.dcm: not DICOM'],
      },
    );
  });
});
