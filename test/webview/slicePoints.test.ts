// The viewer overlay's arithmetic and its status line: a point's pixel centre lands where the image's scale and
// corner put it (checked by hand), and the line says which instances hold points and how many are on this one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { focusText, pointsSummary, screenPosition } from '../../webview/slicePoints';

const point = (instanceNumber: number) => ({ instanceNumber, x: 10, y: 20, label: 'L4/L5', colour: '#3ccf4e' });

describe('slice points', () => {
  it("puts a pixel's centre at the image corner plus (pixel + 0.5) x scale", () => {
    // A 256-pixel image shown 512 wide and 384 high from (100, 50): 2 and 1.5 screen pixels per image pixel.
    assert.deepEqual(screenPosition({ x: 10, y: 20 }, { left: 100, top: 50, scaleX: 2, scaleY: 1.5 }), {
      x: 121,
      y: 80.75,
    });
  });

  it('names the instances holding labels and predictions, the count on this slice, and any problem', () => {
    const summary = pointsSummary(
      {
        labelled: [point(8), point(8), point(9)],
        predicted: [point(8)],
        labelSource: 'coords.csv',
        predictionSource: 'positions.json',
        problems: ['predictions not shown: positions.json is malformed'],
      },
      9,
    );
    assert.equal(
      summary,
      'Labelled points on instances 8, 9 (1 on this slice) · Predicted levels on instance 8 (0 on this slice) · ' +
        'predictions not shown: positions.json is malformed',
    );
    assert.equal(
      pointsSummary({ labelled: [], predicted: [], labelSource: null, predictionSource: null, problems: [] }, 1),
      '',
    );
  });

  it("writes a gallery prediction's level, grades and probabilities as whole percentages", () => {
    const text = focusText({
      instanceNumber: 8,
      x: 10,
      y: 20,
      box: { left: 0, top: 0, width: 40, height: 40 },
      label: 'L4/L5 · true Moderate · predicted Severe',
      colour: '#f14c4c',
      probabilities: [
        { grade: 'Normal/Mild', probability: 0.104 },
        { grade: 'Moderate', probability: 0.346 },
        { grade: 'Severe', probability: 0.55 },
      ],
      source: 'run-a',
    });
    assert.equal(text, 'L4/L5 · true Moderate · predicted Severe · Normal/Mild 10% · Moderate 35% · Severe 55%');
  });
});
