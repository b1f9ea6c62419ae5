// Keys that could only ever have one value are not options (data.split.by: study, train.loss.name: cross_entropy).
// A file that still writes one gets a warning naming the fixed value, whose fix deletes the key and leaves the
// mapping well formed, in block and in flow style; such a file still resolves, without the key.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { ExperimentDiagnostic, Range } from '../../core/experiment/positions';
import { resolveExperiment } from '../../core/experiment/resolve';
import { validateExperiment } from '../../core/experiment/validate';

const file = join(__dirname, '..', 'fixtures', 'experiment', 'fixed-keys.experiment.yaml');

function fixedKeyWarnings(text: string): ExperimentDiagnostic[] {
  return validateExperiment(text, { filePath: file, checkDataset: false }).filter((d) => d.code === 'unknown-key');
}

function offset(text: string, position: Range['start']): number {
  const lines = text.split('\n');
  return lines.slice(0, position.line).reduce((sum, line) => sum + line.length + 1, 0) + position.character;
}

/** The text after the diagnostic's only fix. */
function fixed(text: string, diagnostic: ExperimentDiagnostic): string {
  assert.equal(diagnostic.fixes.length, 1);
  const { range, newText } = diagnostic.fixes[0]!.edit;
  return text.slice(0, offset(text, range.start)) + newText + text.slice(offset(text, range.end));
}

const head = 'name: fixed\ndata:\n  root: data\n  condition: spinal_canal_stenosis\n';
const model = 'model:\n  backbones: resnet18\n';

describe('keys with a single value', () => {
  it('warns on data.split.by in a block mapping and deletes its line', () => {
    const text = `${head}  split:\n    train: 0.6\n    by: study\n    val: 0.2\n    test: 0.2\n${model}`;
    const [warning, ...rest] = fixedKeyWarnings(text);
    assert.deepEqual(rest, []);
    assert.equal(warning!.severity, 'warning');
    assert.equal(
      warning!.message,
      'data.split.by is not an option (splits are always by study: a study and its levels never straddle two splits); delete it.',
    );
    assert.deepEqual(warning!.range, { start: { line: 6, character: 4 }, end: { line: 6, character: 6 } });
    assert.equal(fixed(text, warning!), `${head}  split:\n    train: 0.6\n    val: 0.2\n    test: 0.2\n${model}`);
  });

  it('deletes the pair and one comma in a flow mapping, wherever the pair stands', () => {
    const cases: [string, string][] = [
      ['{ train: 0.6, by: study, val: 0.2, test: 0.2 }', '{ train: 0.6, val: 0.2, test: 0.2 }'],
      ['{ by: study, train: 0.6, val: 0.2, test: 0.2 }', '{ train: 0.6, val: 0.2, test: 0.2 }'],
      ['{ train: 0.6, val: 0.2, test: 0.2, by: study }', '{ train: 0.6, val: 0.2, test: 0.2 }'],
      ['{ by: study }', '{  }'],
    ];
    for (const [before, after] of cases) {
      const text = `${head}  split: ${before}\n${model}`;
      const warnings = fixedKeyWarnings(text);
      assert.equal(warnings.length, 1, before);
      const result = fixed(text, warnings[0]!);
      assert.equal(result, `${head}  split: ${after}\n${model}`);
      assert.deepEqual(fixedKeyWarnings(result), [], 'the fixed file has no warning left');
      const { by: _by, ...others } = parseYaml(text).data.split as Record<string, unknown>;
      assert.deepEqual(parseYaml(result).data.split, others, 'the other keys are intact');
    }
  });

  it('warns on train.loss.name the same way', () => {
    const text = `${head}${model}train:\n  loss: { name: cross_entropy, class_weights: none }\n`;
    const [warning] = fixedKeyWarnings(text);
    assert.equal(
      warning!.message,
      'train.loss.name is not an option (the loss is always softmax cross-entropy); delete it.',
    );
    assert.equal(fixed(text, warning!), `${head}${model}train:\n  loss: { class_weights: none }\n`);
  });

  it('a file that still writes them resolves, without them', () => {
    const folder = mkdtempSync(join(tmpdir(), 'radlab-fixed-keys-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    mkdirSync(join(folder, 'data'));
    const text = `${head}  split: { train: 0.6, val: 0.2, test: 0.2, by: study }\n${model}train:\n  loss: { name: cross_entropy }\n`;
    const result = resolveExperiment(text, join(folder, 'fixed.experiment.yaml'), { checkDataset: false });
    assert.ok(result.ok, JSON.stringify(result.diagnostics));
    const [run] = result.runs;
    assert.equal('by' in run!.data.split, false);
    assert.equal('name' in run!.train.loss, false);
    assert.equal(run!.data.split.train, 0.6);
  });

  it('any other unknown key is still an error with did-you-mean', () => {
    const [error] = fixedKeyWarnings(`${head}  split: { train: 0.6, val: 0.2, test: 0.2, stratifi: true }\n${model}`);
    assert.equal(error!.severity, 'error');
    assert.match(error!.message, /Did you mean 'stratify'\?/);
  });
});
