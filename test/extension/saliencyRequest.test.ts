// The run panel's Explain request: the `radlab explain` command line it builds for a gallery row, the page's view
// of the JSON the command writes (field names as core/cli/explainCommand.ts writes them), and the error the panel
// shows when the command fails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainArguments, explainFailure, saliencyViewOf } from '../../extension/panels/saliencyRequest';

const RUN = '/work/runs/demo/20260101-000000-resnet18';
const ROW = '4003253_spinal_canal_stenosis_l4_l5';

/** A document as `radlab explain --json` writes it, trimmed to a 2x2 map. */
const written = {
  runFolder: RUN,
  backbone: 'resnet18',
  condition: 'spinal_canal_stenosis',
  rowId: ROW,
  level: 'L4/L5',
  file: '/data/1/2/3.dcm',
  trueLabel: 'Moderate',
  recordedProbabilities: [0.2, 0.3, 0.5],
  probabilities: [0.2, 0.3, 0.5],
  method: 'grad-cam',
  grade: 'Severe',
  gradeIndex: 2,
  gradeSpecific: true,
  grid: [8, 8],
  step: [5, 9],
  width: 2,
  height: 2,
  map: [0, 0.5, 1, 0.25],
  cropPng: 'Q1JPUA==',
  heatmapPng: 'SEVBVA==',
};

describe('explain request', () => {
  it('asks the CLI for the row, the chosen grade when there is one, and JSON at the given path', () => {
    assert.deepEqual(explainArguments(RUN, ROW, null, '/tmp/x/saliency.json'), [
      'explain',
      RUN,
      ROW,
      '--json',
      '/tmp/x/saliency.json',
    ]);
    assert.deepEqual(explainArguments(RUN, ROW, 'Normal/Mild', '/tmp/x/s.json'), [
      'explain',
      RUN,
      ROW,
      '--grade',
      'Normal/Mild',
      '--json',
      '/tmp/x/s.json',
    ]);
  });

  it('reads Grad-CAM back with its grade and grid in the caption, the PNGs as data URLs', () => {
    const view = saliencyViewOf(JSON.stringify(written), '/tmp/x/s.json');
    assert.deepEqual(view, {
      rowId: ROW,
      method: 'grad-cam',
      grade: 'Severe',
      gradeSpecific: true,
      grid: [8, 8],
      step: [5, 9],
      caption: 'Grad-CAM for Severe (8×8, backbone step 5 of 9)',
      cropPng: 'data:image/png;base64,Q1JPUA==',
      heatmapPng: 'data:image/png;base64,SEVBVA==',
    });
  });

  it('says an attention rollout is the same for every grade', () => {
    const rollout = {
      ...written,
      method: 'attention-rollout',
      grade: 'Moderate',
      gradeSpecific: false,
      grid: [4, 4],
      step: null,
    };
    assert.equal(saliencyViewOf(JSON.stringify(rollout), 'r.json').caption, 'Attention rollout (same for every grade)');
  });

  it('refuses a document of another shape naming the file and the field', () => {
    assert.throws(() => saliencyViewOf('{"rowId": ', '/tmp/x/s.json'), /\/tmp\/x\/s\.json is not JSON/);
    for (const [field, value] of [
      ['method', 'lime'],
      ['grade', 'Mild'],
      ['grid', [7]],
      ['step', [5]],
      ['gradeSpecific', 'yes'],
      ['cropPng', null],
    ] as const) {
      assert.throws(
        () => saliencyViewOf(JSON.stringify({ ...written, [field]: value }), 's.json'),
        new RegExp(`^Error: s\\.json: "${field}`),
      );
    }
  });

  it("names the run and the row when the CLI fails, with the CLI's last error lines", () => {
    const message = explainFailure(RUN, ROW, {
      exit: { code: 1, signal: null },
      stderr: ['', 'radlab explain: row id is not in predictions.csv', ''],
    });
    assert.equal(
      message,
      `Explain ${ROW} of run 20260101-000000-resnet18 failed: radlab explain: row id is not in predictions.csv`,
    );
    const notStarted = explainFailure(RUN, ROW, {
      exit: { code: null, signal: null, startError: new Error('spawn /no/node ENOENT') },
      stderr: [],
    });
    assert.match(notStarted, /could not start \(spawn \/no\/node ENOENT\); check the radlab\.nodePath setting/);
  });
});
