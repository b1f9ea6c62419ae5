// The search for dataset folders in a workspace, which data.root quick fixes offer: RSNA-layout folders and
// RadLab's synthetic datasets are found; dependencies, hidden folders and the inside of a dataset are not searched.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findDatasetFolders } from '../../core/data/datasetFolders';

function touch(root: string, file: string): void {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), '');
}

describe('dataset folders in a workspace', () => {
  const root = mkdtempSync(join(tmpdir(), 'radlab-datasets-'));
  touch(root, 'data/rsna/train_series_descriptions.csv');
  touch(root, 'data/rsna/train_images/1/2/train.csv');
  touch(root, 'data/only-train/train.csv');
  touch(root, 'data/synth-in-progress/synthetic.json');
  touch(root, 'experiments/a.experiment.yaml');
  touch(root, 'node_modules/pkg/train.csv');
  touch(root, '.cache/train.csv');
  touch(root, 'data/notes/readme.txt');
  touch(root, 'a/b/c/d/e/train.csv');

  it('finds RSNA-layout and synthetic folders, sorted, and no folder inside a dataset, a dependency or a hidden one', () => {
    assert.deepEqual(findDatasetFolders(root), [
      join(root, 'data/only-train'),
      join(root, 'data/rsna'),
      join(root, 'data/synth-in-progress'),
    ]);
  });

  it('looks as deep as told', () => {
    assert.ok(findDatasetFolders(root, { depth: 5, folders: 100 }).includes(join(root, 'a/b/c/d/e')));
    assert.deepEqual(findDatasetFolders(root, { depth: 1, folders: 100 }), []);
  });
});
