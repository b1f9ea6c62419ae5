// The epoch scrubber's evidence from a hand-made results/val_predictions: the counts and scores worked out by hand,
// a missing or truncated epoch file named in the problem, and the page's select-epoch message checked by its guard.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readEpochEvidence } from '../../extension/panels/epochEvidence';
import { FromWebview, isRunPageMessage } from '../../webview/contract';

const runDir = mkdtempSync(join(tmpdir(), 'radlab-epoch-evidence-'));
after(() => rmSync(runDir, { recursive: true, force: true }));
const folder = join(runDir, 'results', 'val_predictions');
mkdirSync(folder, { recursive: true });
writeFileSync(
  join(folder, 'rows.csv'),
  [
    'row_id,true_label,level',
    '1_spinal_canal_stenosis_l1_l2,Normal/Mild,L1/L2',
    '1_spinal_canal_stenosis_l2_l3,Normal/Mild,L2/L3',
    '2_spinal_canal_stenosis_l1_l2,Moderate,L1/L2',
    '2_spinal_canal_stenosis_l2_l3,Severe,L2/L3',
  ].join('\n') + '\n',
);
// Predicted: Normal/Mild, Moderate, Moderate, Normal/Mild.
const probabilities = [0.7, 0.2, 0.1, 0.25, 0.5, 0.25, 0.1, 0.8, 0.1, 0.6, 0.1, 0.3];
writeFileSync(join(folder, 'epoch-002.f32'), Buffer.from(new Float32Array(probabilities).buffer));
writeFileSync(join(folder, 'epoch-003.f32'), Buffer.alloc(20));

describe('epoch evidence', () => {
  it('counts the stored epoch by hand: rows true grade, columns predicted', () => {
    const { evidence, rows } = readEpochEvidence(runDir, 2, true);
    assert.equal(evidence.problem, null);
    assert.deepEqual(evidence.summary!.confusion.counts, [
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    assert.equal(evidence.summary!.accuracy, 0.5);
    // Normal/Mild: precision 1/2, recall 1/2; Moderate: precision 1/2, recall 1; Severe: 0.
    assert.deepEqual(
      evidence.summary!.perClass.map((c) => c.f1),
      [0.5, 2 / 3, 0],
    );
    assert.deepEqual(
      rows.map((r) => [r.studyId, r.level, r.trueLabel, r.predictedLabel]),
      [
        ['1', 'L1/L2', 'Normal/Mild', 'Normal/Mild'],
        ['1', 'L2/L3', 'Normal/Mild', 'Moderate'],
        ['2', 'L1/L2', 'Moderate', 'Moderate'],
        ['2', 'L2/L3', 'Severe', 'Normal/Mild'],
      ],
    );
    assert.equal(evidence.gallery, true);
  });

  it('names the missing or truncated epoch file instead of a summary', () => {
    const missing = readEpochEvidence(runDir, 1, false).evidence;
    assert.equal(missing.summary, null);
    assert.match(missing.problem!, /No validation predictions are stored for epoch 1 \(.*epoch-001\.f32\)/);
    const truncated = readEpochEvidence(runDir, 3, false).evidence;
    assert.match(truncated.problem!, /epoch-003\.f32: 20 bytes, expected 48/);
  });

  it('lets through only a select-epoch with a whole epoch and a gallery flag', () => {
    assert.ok(isRunPageMessage({ type: FromWebview.SelectEpoch, epoch: 2, gallery: false }));
    assert.ok(!isRunPageMessage({ type: FromWebview.SelectEpoch, epoch: 1.5, gallery: false }));
    assert.ok(!isRunPageMessage({ type: FromWebview.SelectEpoch, epoch: -1, gallery: false }));
    assert.ok(!isRunPageMessage({ type: FromWebview.SelectEpoch, epoch: 2 }));
  });
});
