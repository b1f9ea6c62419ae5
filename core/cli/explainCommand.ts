// `radlab explain <run folder> <row_id> [--grade g] [--step s] [--png out.png] [--json out.json] [--opacity 0..1]`:
// the saliency map of one test prediction (Grad-CAM or attention rollout, see core/explain), drawn over the crop the
// model saw, and/or written as JSON with the raw map and the crop and heat map PNGs (what the run panel shows).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stderr, stdout } from 'node:process';
import { GRADES } from '../data/lsdcVocabulary';
import { releaseEngine, selectEngine } from '../engine/selectEngine';
import { explainPrediction, gradeIndexOf, type PredictionExplanation } from '../explain/explainPrediction';
import type { GradCamStep } from '../explain/gradCam';
import { saliencyPngs } from '../explain/saliencyImages';
import { DEFAULT_OPACITY, SALIENCY_METHOD_TITLES } from '../explain/saliencyMethods';
import { parseCommandArgs } from './commandArgs';

export const USAGE =
  'radlab explain <run folder> <row_id> [--grade <0-2 | Normal/Mild | Moderate | Severe>] [--step <auto | last | 1, 2, ...>] [--png <out.png>] [--json <out.json>] [--opacity <0-1>]';

// Recomputed and recorded probabilities agree to float32 noise when the crop is the one evaluated.
const AGREEMENT = 1e-3;

/** --step: 'auto', 'last', or a backbone step counted from 1 (as the output names it), as gradCam takes it. */
function gradCamStepOf(text: string): GradCamStep {
  if (text === 'auto' || text === 'last') return text;
  const step = Number(text);
  if (text.trim() === '' || !Number.isInteger(step) || step < 1) {
    throw new RangeError(`--step takes auto, last or a step number from 1 (got '${text}')`);
  }
  return step - 1;
}

function write(path: string, data: string | Buffer): string {
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  writeFileSync(absolute, data);
  return absolute;
}

function probabilities(values: readonly number[]): string {
  return values.map((p) => p.toFixed(3)).join(' / ');
}

function describe(explanation: PredictionExplanation): string {
  const { recorded, saliency } = explanation;
  const [rows, columns] = saliency.grid;
  const what = saliency.gradeSpecific
    ? `for ${GRADES[saliency.grade]}`
    : `(the same for every grade; the model predicts ${GRADES[saliency.grade]})`;
  return (
    `${explanation.runFolder}: ${explanation.backbone}, ${explanation.condition}\n` +
    `${recorded.rowId} (${explanation.level}): true ${recorded.trueLabel}, predicted ${recorded.predictedLabel}; ` +
    `${GRADES.join(' / ')} ${probabilities(saliency.probabilities)} ` +
    `(predictions.csv: ${probabilities(recorded.probabilities)})\n` +
    `${SALIENCY_METHOD_TITLES[saliency.method]} ${what}, on a ${rows}x${columns} feature grid` +
    `${saliency.step ? ` (backbone step ${saliency.step[0]} of ${saliency.step[1]})` : ''}, ` +
    `${saliency.width}x${saliency.height} crop from ${explanation.file}\n`
  );
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('explain', USAGE, args, {
    grade: { type: 'string' },
    png: { type: 'string' },
    json: { type: 'string' },
    opacity: { type: 'string' },
    step: { type: 'string', default: 'auto' },
  });
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) {
    stderr.write(`radlab explain: give a run folder and a row_id of its results/predictions.csv.\n${USAGE}\n`);
    return 2;
  }
  let grade: number | undefined;
  let opacity = DEFAULT_OPACITY;
  let step: GradCamStep;
  try {
    step = gradCamStepOf(values.step);
    grade = values.grade === undefined ? undefined : gradeIndexOf(values.grade);
    if (values.opacity !== undefined) {
      opacity = Number(values.opacity);
      if (values.opacity.trim() === '' || !(opacity >= 0 && opacity <= 1)) {
        throw new RangeError(`--opacity takes a number from 0 to 1 (got '${values.opacity}')`);
      }
    }
  } catch (error) {
    stderr.write(`radlab explain: ${(error as Error).message}\n`);
    return 2;
  }
  await selectEngine({ engine: 'auto' });
  try {
    const explanation = await explainPrediction(resolve(positionals[0]!), positionals[1]!, grade, step);
    stdout.write(describe(explanation));
    const { saliency, recorded } = explanation;
    const drift = Math.max(...saliency.probabilities.map((p, k) => Math.abs(p - recorded.probabilities[k]!)));
    if (drift > AGREEMENT) {
      stderr.write(
        `warning: the recomputed probabilities differ from predictions.csv by up to ${drift.toFixed(4)}: the ` +
          `dataset's images or the checkpoint have changed since the run, so this map may not show what it saw\n`,
      );
    }
    if (values.png === undefined && values.json === undefined) {
      stdout.write('Give --png <out.png> for the picture or --json <out.json> for the map.\n');
      return 0;
    }
    const pngs = await saliencyPngs(explanation, opacity);
    if (values.png !== undefined) stdout.write(`Wrote ${write(values.png, pngs.overlay)}\n`);
    if (values.json !== undefined) {
      const document = {
        runFolder: explanation.runFolder,
        backbone: explanation.backbone,
        condition: explanation.condition,
        rowId: recorded.rowId,
        level: explanation.level,
        file: explanation.file,
        trueLabel: recorded.trueLabel,
        recordedProbabilities: recorded.probabilities,
        probabilities: saliency.probabilities,
        method: saliency.method,
        grade: GRADES[saliency.grade],
        gradeIndex: saliency.grade,
        gradeSpecific: saliency.gradeSpecific,
        grid: saliency.grid,
        step: saliency.step ?? null,
        width: saliency.width,
        height: saliency.height,
        /** height x width values in [0, 1], row-major. */
        map: Array.from(saliency.values),
        cropPng: pngs.crop.toString('base64'),
        heatmapPng: pngs.heatmap.toString('base64'),
      };
      stdout.write(`Wrote ${write(values.json, `${JSON.stringify(document)}\n`)}\n`);
    }
    return 0;
  } finally {
    releaseEngine();
  }
}
