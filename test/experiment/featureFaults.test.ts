// Language features let an internal fault reach the language server's log (its guarded handlers log the stack
// and answer empty) instead of quietly answering nothing; what a user can cause (an unknown backbone, a file
// that does not parse) still gets an answer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hoverExperiment, outlineExperiment } from '../../core/experiment/languageService';
import type { ExperimentParser } from '../../core/experiment/parse';
import { analyzeExperiment } from '../../core/experiment/validate';

const file = join(__dirname, '..', 'fixtures', 'experiment', 'inline.experiment.yaml');
const fault = new Error('parser fault');
const faultyParser: ExperimentParser = {
  parse: () => {
    throw fault;
  },
};

describe('language feature faults', () => {
  it('hover and outline throw an internal fault for the server to log', () => {
    assert.throws(() => hoverExperiment('name: a\n', { line: 0, character: 1 }, file, faultyParser), /parser fault/);
    assert.throws(() => outlineExperiment('name: a\n', faultyParser), /parser fault/);
  });

  it('validation shows a "could not check" diagnostic and hands the fault, with its stack, to the caller', () => {
    const result = analyzeExperiment('name: a\n', { filePath: file, checkDataset: false, parser: faultyParser });
    assert.deepEqual(result.faults, [fault]);
    assert.equal(result.diagnostics.length, 1);
    assert.match(result.diagnostics[0]!.message, /could not check this file \(internal error: parser fault\)/);
    assert.deepEqual(analyzeExperiment('name: a\n', { filePath: file, checkDataset: false }).faults, []);
  });

  it('the unfreeze_last_n hover describes the known backbones when another name is unknown', () => {
    const text = 'name: a\nmodel:\n  backbones: [nope, resnet18]\n  unfreeze_last_n: 4\n';
    const hover = hoverExperiment(text, { line: 3, character: 4 }, file);
    assert.ok(hover !== null, 'a hover, not nothing');
    assert.match(hover.markdown, /\nresnet18: /);
    assert.doesNotMatch(hover.markdown, /\nnope: /);
  });
});
