// The vscode-free decisions behind the commands: what a command was invoked on, whether an experiment may
// run (checked against diagnostics the experiment language service really produces), the dataset an
// experiment names, and the synthetic dataset inputs.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateExperiment } from '../../core/experiment/languageService';
import {
  ASK_BEFORE_STOPPING,
  asksBeforeStopping,
  experimentFileArgument,
  pathArgument,
  runDirsArgument,
} from '../../extension/commands/commandArguments';
import { datasetRootOf } from '../../extension/commands/experimentDataset';
import { refusalMessage } from '../../extension/commands/experimentGate';
import {
  studiesProblem,
  synthArguments,
  synthFolderOf,
  synthFolderProblem,
} from '../../extension/commands/synthArguments';
import type { RunRecord } from '../../extension/runs/runFolders';

const run = (dir: string) => ({ kind: 'run' as const, run: { dir } as RunRecord });

describe('command arguments', () => {
  it('takes the multi-selection over the clicked node, ignoring experiment nodes and duplicates', () => {
    assert.deepEqual(
      runDirsArgument(run('/r/a'), [
        run('/r/a'),
        run('/r/b'),
        { kind: 'experiment', experimentDir: '/r', experiment: 'x', runs: [] },
      ]),
      ['/r/a', '/r/b'],
    );
    assert.deepEqual(runDirsArgument(run('/r/a'), undefined), ['/r/a']);
    assert.deepEqual(runDirsArgument(run('/r/a'), []), ['/r/a']);
  });

  it('names the error that comes first in the file, whatever order the rules reported them in', () => {
    const at = (line: number, character: number, message: string) => ({
      range: { start: { line, character }, end: { line, character: character + 1 } },
      severity: 'error' as const,
      code: 'wrong-type' as const,
      message,
      fixes: [],
    });
    const message = refusalMessage('a.experiment.yaml', [at(14, 2, 'late'), at(6, 4, 'early'), at(6, 2, 'earliest')]);
    assert.equal(
      message,
      'RadLab: a.experiment.yaml cannot run: line 7: earliest (and 2 more errors). Fix the problems, then run it again.',
    );
  });

  it("tells the status bar's stop request from a run folder or node", () => {
    assert.equal(asksBeforeStopping(ASK_BEFORE_STOPPING), true);
    for (const other of [undefined, '/r/a', run('/r/a'), { askBeforeStopping: 'yes' }, null])
      assert.equal(asksBeforeStopping(other), false, JSON.stringify(other));
    assert.deepEqual(runDirsArgument(ASK_BEFORE_STOPPING, undefined), [], 'it names no run folder');
  });

  it('accepts a path string or a file Uri, and nothing else', () => {
    assert.deepEqual(runDirsArgument('/r/c', undefined), ['/r/c']);
    assert.equal(pathArgument({ scheme: 'file', fsPath: '/w/a.dcm' }), '/w/a.dcm');
    assert.equal(pathArgument({ scheme: 'untitled', fsPath: 'Untitled-1' }), undefined);
    assert.equal(pathArgument(''), undefined);
    assert.equal(pathArgument(42), undefined);
    assert.deepEqual(runDirsArgument(undefined, undefined), []);
  });

  it('finds the experiment file of an experiment node only when it has one', () => {
    assert.equal(
      experimentFileArgument({
        kind: 'experiment',
        experimentDir: '/r',
        experiment: 'x',
        runs: [],
        experimentFile: '/w/x.experiment.yaml',
      }),
      '/w/x.experiment.yaml',
    );
    assert.equal(
      experimentFileArgument({ kind: 'experiment', experimentDir: '/r', experiment: 'x', runs: [] }),
      undefined,
    );
    assert.equal(experimentFileArgument(run('/r/a')), undefined);
  });
});

describe('refusing an invalid experiment', () => {
  const file = path.join(__dirname, '../fixtures/ui/canal-demo.experiment.yaml');

  it('lets a valid experiment run', () => {
    const text =
      'name: ok\ndata:\n  root: data/synthetic-lsdc\n  synthetic: { studies: 4, seed: 1 }\n  condition: spinal_canal_stenosis\nmodel:\n  backbones: [resnet18]\n  pretrained: none\n  freeze_backbone: false\n';
    assert.equal(
      refusalMessage('ok.experiment.yaml', validateExperiment(text, { filePath: file, checkDataset: true })),
      undefined,
    );
  });

  it('names the first error by its 1-based line and counts the rest', () => {
    // Line 7 has an unknown backbone; line 9 an out-of-range epoch count.
    const text =
      'name: bad\ndata:\n  root: data/synthetic-lsdc\n  synthetic: { studies: 4, seed: 1 }\n  condition: spinal_canal_stenosis\nmodel:\n  backbones: [resnet_nope]\ntrain:\n  epochs: -3\n';
    const diagnostics = validateExperiment(text, { filePath: file, checkDataset: true });
    const message = refusalMessage('bad.experiment.yaml', diagnostics);
    assert.ok(message !== undefined);
    assert.match(message, /^RadLab: bad\.experiment\.yaml cannot run: line 7: /);
    assert.match(message, /\(and 1 more error\)\. Fix the problems, then run it again\.$/);
  });

  it('does not refuse for warnings alone', () => {
    const warning = {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      severity: 'warning' as const,
      message: 'w',
      code: 'unknown-key' as const,
      fixes: [],
    };
    assert.equal(refusalMessage('a', [warning]), undefined);
  });
});

describe('the dataset an experiment names', () => {
  it('resolves data.root against the experiment file', () => {
    assert.equal(
      datasetRootOf('/w/exp/a.experiment.yaml', 'data:\n  root: ../data/rsna\n'),
      path.resolve('/w/data/rsna'),
    );
    assert.equal(datasetRootOf('/w/a.experiment.yaml', 'data:\n  root: /mnt/rsna\n'), path.resolve('/mnt/rsna'));
  });

  it('has none when data.root is missing or the YAML is unreadable', () => {
    assert.equal(datasetRootOf('/w/a.experiment.yaml', 'name: a\n'), undefined);
    assert.equal(datasetRootOf('/w/a.experiment.yaml', 'data: [1, 2]\n'), undefined);
    assert.equal(datasetRootOf('/w/a.experiment.yaml', 'data: {root: [unclosed\n'), undefined);
  });
});

describe('synthetic dataset inputs', () => {
  it('accepts whole numbers from 1 to 100,000 studies', () => {
    for (const ok of ['1', ' 40 ', '100000']) assert.equal(studiesProblem(ok), undefined, ok);
    assert.match(studiesProblem('0') ?? '', /between 1 and 100,000/);
    assert.match(studiesProblem('100001') ?? '', /between 1 and 100,000/);
    for (const bad of ['', '4.5', '-3', 'ten', '1e3']) assert.match(studiesProblem(bad) ?? '', /whole number/, bad);
  });

  it('builds the radlab synth command line', () => {
    assert.deepEqual(synthArguments('/w/data/synth', ' 040 '), ['synth', '--out', '/w/data/synth', '--studies', '40']);
  });

  it('takes a typed folder relative to the workspace or absolute, existing or not', () => {
    const posix = path.posix;
    assert.equal(synthFolderOf(' data/new-set ', '/w', posix), '/w/data/new-set');
    assert.equal(synthFolderOf('/mnt/x/../synth', '/w', posix), '/mnt/synth');
    assert.equal(synthFolderOf('/mnt/synth', undefined, posix), '/mnt/synth');
    assert.equal(synthFolderOf('data/x', undefined, posix), undefined);
    assert.equal(synthFolderOf('  ', '/w', posix), undefined);
    assert.match(synthFolderProblem(' ', '/w') ?? '', /Enter a folder/);
    assert.match(synthFolderProblem('data/x', undefined) ?? '', /absolute path/);
    assert.equal(synthFolderProblem('data/x', '/w'), undefined);
  });
});
