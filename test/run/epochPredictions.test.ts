// A tiny run keeps every epoch's validation predictions (results/val_predictions): the rows are the validation
// split's studies, and each epoch file's probabilities reproduce, counted by hand here, the accuracy, macro F1 and
// loss of that epoch's epoch-end event.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readEpochProbabilities, readValidationRows, storedEpochs } from '../../core/run/epochPredictions';
import { writeTinyExperiment } from '../helpers/tinyExperiment';

const repo = join(__dirname, '..', '..');
const GRADE_ORDER = ['Normal/Mild', 'Moderate', 'Severe'];

/** Macro F1 from a 3×3 count matrix (rows true, columns predicted); a grade with no support or prediction scores 0. */
function macroF1(confusion: number[][]): number {
  const f1s = [0, 1, 2].map((k) => {
    const tp = confusion[k]![k]!;
    const predicted = confusion.reduce((sum, row) => sum + row[k]!, 0);
    const actual = confusion[k]!.reduce((a, b) => a + b, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  });
  return (f1s[0]! + f1s[1]! + f1s[2]!) / 3;
}

describe('validation predictions per epoch', { timeout: 600_000 }, () => {
  const workspace = mkdtempSync(join(tmpdir(), 'radlab-epoch-predictions-'));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('stores rows × 3 float32 per epoch that reproduce the epoch-end validation scores', () => {
    const file = writeTinyExperiment(workspace, 'evidence', { epochs: 3 });
    const result = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(require.resolve('tsx')).href, join(repo, 'core', 'cli.ts'), 'run', file],
      {
        encoding: 'utf8',
        cwd: workspace,
      },
    );
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const runsDir = join(workspace, 'runs', 'evidence');
    const runDir = join(runsDir, readdirSync(runsDir)[0]!);

    const validationStudies = new Set(
      readFileSync(join(runDir, 'split.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .filter(([, split]) => split === 'val')
        .map(([study]) => study),
    );
    const rows = readValidationRows(runDir);
    assert.ok(rows.length > 0);
    for (const row of rows) assert.ok(validationStudies.has(row.rowId.split('_')[0]), `${row.rowId} is a val study`);

    assert.deepEqual(storedEpochs(runDir), [1, 2, 3]);
    const epochEnds = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((event) => event.type === 'epoch-end');
    assert.equal(epochEnds.length, 3);
    for (const event of epochEnds) {
      const path = join(runDir, 'results', 'val_predictions', `epoch-00${event.epoch}.f32`);
      assert.equal(statSync(path).size, rows.length * 12, 'rows × 3 float32');
      const probabilities = readEpochProbabilities(runDir, event.epoch, rows.length);
      const confusion = [0, 1, 2].map(() => [0, 0, 0]);
      let loss = 0;
      probabilities.forEach((p, i) => {
        const truth = GRADE_ORDER.indexOf(rows[i]!.trueLabel);
        const predicted = p.indexOf(Math.max(...p));
        confusion[truth]![predicted]! += 1;
        loss -= Math.log(p[truth]!) / rows.length;
        assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-5, 'a row of probabilities sums to 1');
      });
      const correct = confusion[0]![0]! + confusion[1]![1]! + confusion[2]![2]!;
      assert.equal(correct / rows.length, event.val.accuracy, `epoch ${event.epoch} accuracy`);
      assert.ok(Math.abs(macroF1(confusion) - event.val.macroF1) < 1e-12, `epoch ${event.epoch} macro F1`);
      // float32 storage: the loss agrees to about 1e-6 of its size.
      assert.ok(Math.abs(loss - event.val.loss) < 1e-5 * Math.max(1, event.val.loss), `epoch ${event.epoch} loss`);
    }
  });

  it('refuses an epoch file whose size does not match rows.csv, naming the file', () => {
    const runsDir = join(workspace, 'runs', 'evidence');
    const runDir = join(runsDir, readdirSync(runsDir)[0]!);
    assert.throws(() => readEpochProbabilities(runDir, 1, 5), /epoch-001\.f32: \d+ bytes, expected 60/);
  });
});
