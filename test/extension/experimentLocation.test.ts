// The pure decisions behind `RadLab: New Experiment`: which names are accepted and how the new file refers to its
// dataset. Expected values are worked out by hand from the rules in the brief, not taken from the code; the last
// group checks the result against the experiment language service, which decides independently what a valid
// name is and how a relative data.root resolves.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { validateExperiment } from '../../core/experiment/languageService';
import { experimentTemplate } from '../../core/experiment/template';
import {
  dataRootReference,
  experimentFileName,
  experimentNameProblem,
  isExperimentFileName,
  SYNTHETIC_DATA_ROOT,
} from '../../extension/newExperiment/experimentLocation';

describe('experiment name validation', () => {
  // The schema's rule: what a file may say in `name:`, New Experiment accepts too (uppercase and '.' included).
  for (const name of ['canal-stenosis', 'run_1', '2024-baseline', 'a', 'Canal', 'canal.v2', 'x'.repeat(64)]) {
    it(`accepts ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}…(${name.length})` : name)}`, () => {
      assert.equal(experimentNameProblem(name), undefined);
    });
  }

  const rejected: Array<[string, RegExp]> = [
    ['', /Enter a name/],
    ['canal stenosis', /letters, digits, "\.", "_" and "-"/],
    ['a/b', /letters, digits/],
    ['sténose', /letters, digits/],
    ['-leading-dash', /starting with a letter or digit/],
    ['_leading', /starting with a letter or digit/],
    ['.hidden', /starting with a letter or digit/],
    ['x'.repeat(65), /at most 64/],
  ];
  for (const [name, message] of rejected) {
    it(`rejects ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}…(${name.length})` : name)} saying why`, () => {
      const problem = experimentNameProblem(name);
      assert.ok(problem !== undefined, 'expected a problem');
      assert.match(problem, message);
    });
  }

  it('agrees with the validator on every name, accepted or not', () => {
    for (const name of ['Canal', 'canal.v2', 'canal stenosis', '-x', 'x'.repeat(64), 'x'.repeat(65)]) {
      const text = experimentTemplate({ name, dataRoot: SYNTHETIC_DATA_ROOT, synthetic: true, kind: 'quick-start' });
      const nameErrors = validateExperiment(text, { filePath: '/ws/a.experiment.yaml', checkDataset: false }).filter(
        (d) => d.message.startsWith('name '),
      );
      assert.equal(nameErrors.length === 0, experimentNameProblem(name) === undefined, name);
    }
  });
});

describe('experiment file names', () => {
  it('names the file <name>.experiment.yaml', () => {
    assert.equal(experimentFileName('canal-stenosis'), 'canal-stenosis.experiment.yaml');
  });

  it('recognises exactly the file name patterns the manifest gives the language', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
      contributes: { languages: Array<{ id: string; filenamePatterns?: string[] }> };
    };
    const language = manifest.contributes.languages.find((l) => l.id === 'radlab-experiment');
    assert.ok(language?.filenamePatterns !== undefined && language.filenamePatterns.length > 0);
    for (const pattern of language.filenamePatterns) {
      assert.match(pattern, /^\*\.[\w.]+$/, `pattern ${pattern} is expected to be a plain '*.suffix'`);
      assert.equal(isExperimentFileName(`demo${pattern.slice(1)}`), true, pattern);
    }
    assert.ok(language.filenamePatterns.includes(`*${experimentFileName('x').slice(1)}`));
    assert.equal(isExperimentFileName('demo.yaml'), false);
    assert.equal(isExperimentFileName('demo.experiment.json'), false);
  });
});

describe('data.root written into a new experiment', () => {
  const posix = path.posix;
  it('is relative to the experiment file when the dataset is in the workspace', () => {
    assert.equal(dataRootReference('/ws/a.experiment.yaml', '/ws/data/rsna', '/ws', posix), 'data/rsna');
    assert.equal(dataRootReference('/ws/exp/a.experiment.yaml', '/ws/data/rsna', '/ws', posix), '../data/rsna');
    assert.equal(dataRootReference('/ws/exp/deep/a.experiment.yaml', '/ws/rsna', '/ws', posix), '../../rsna');
  });

  it("is '.' when the dataset is the experiment's own folder", () => {
    assert.equal(dataRootReference('/ws/data/a.experiment.yaml', '/ws/data', '/ws', posix), '.');
  });

  it('treats a folder whose name starts with two dots as inside the workspace', () => {
    assert.equal(dataRootReference('/ws/a.experiment.yaml', '/ws/..rsna', '/ws', posix), '..rsna');
  });

  it('keeps the absolute path for a dataset outside the workspace', () => {
    assert.equal(dataRootReference('/ws/a.experiment.yaml', '/mnt/rsna-2024', '/ws', posix), '/mnt/rsna-2024');
    // '/ws-data' shares the workspace path as a string prefix but is a sibling folder.
    assert.equal(dataRootReference('/ws/a.experiment.yaml', '/ws-data/rsna', '/ws', posix), '/ws-data/rsna');
    assert.equal(dataRootReference('/ws/a.experiment.yaml', '/', '/ws', posix), '/');
  });

  it('keeps the absolute path when there is no workspace or the file was saved outside it', () => {
    assert.equal(dataRootReference('/home/u/a.experiment.yaml', '/home/u/data', undefined, posix), '/home/u/data');
    assert.equal(dataRootReference('/elsewhere/a.experiment.yaml', '/ws/data', '/ws', posix), '/ws/data');
  });

  it('writes Windows paths with forward slashes, compares drives case-insensitively, keeps other drives absolute', () => {
    const win32 = path.win32;
    assert.equal(dataRootReference('C:\\ws\\a.experiment.yaml', 'C:\\ws\\data\\rsna', 'C:\\ws', win32), 'data/rsna');
    assert.equal(dataRootReference('C:\\ws\\exp\\a.experiment.yaml', 'c:\\WS\\rsna', 'C:\\ws', win32), '../rsna');
    assert.equal(dataRootReference('C:\\ws\\a.experiment.yaml', 'D:\\rsna', 'C:\\ws', win32), 'D:\\rsna');
  });
});

describe('the file New Experiment writes, read back by the experiment language service', () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'radlab-new-experiment-'));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  for (const name of ['0', 'a_b-c', 'Canal.v2', 'x'.repeat(64)]) {
    for (const kind of ['quick-start', 'full'] as const) {
      it(`validates clean (${kind}) with the synthetic dataset for the accepted name ${name.length > 20 ? `x…(${name.length})` : name}`, () => {
        assert.equal(experimentNameProblem(name), undefined);
        const file = path.join(workspace, experimentFileName(name));
        const text = experimentTemplate({ name, dataRoot: SYNTHETIC_DATA_ROOT, synthetic: true, kind });
        assert.deepEqual(validateExperiment(text, { filePath: file, checkDataset: true }), []);
      });
    }
  }

  it('writes a relative data.root that the language service resolves to the chosen folder', () => {
    const dataset = path.join(workspace, 'data', 'rsna');
    mkdirSync(dataset, { recursive: true });
    const file = path.join(workspace, 'experiments', experimentFileName('relative'));
    const dataRoot = dataRootReference(file, dataset, workspace);
    assert.equal(dataRoot, '../data/rsna');
    const missingPaths = (root: string) =>
      validateExperiment(experimentTemplate({ name: 'relative', dataRoot: root }), {
        filePath: file,
        checkDataset: false,
      }).filter((d) => d.code === 'path-missing');
    assert.deepEqual(missingPaths(dataRoot), []);
    // Control: the same check does notice a root that points nowhere.
    assert.equal(missingPaths('data/rsna').length, 1);
  });
});
