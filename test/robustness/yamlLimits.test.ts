// Reproducers the experiment fuzzer found (seed 1 of bench/robustness/lspFuzz.ts), kept as regression tests:
//  - a line of ~100,000 unclosed "[" made the yaml parser overflow its stack and recover: 2-4 s per validation,
//    so the language server missed its 5 s answer window on a few keystrokes;
//  - a line of 300,000 '"' is 150,000 YAML errors: 3 s to parse and a 30 MB diagnostics message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flowNestingOverflow, MAX_FLOW_DEPTH } from '../../core/experiment/nestingDepth';
import { validateExperiment } from '../../core/experiment/validate';
import { validExperiments } from './experimentCorpus';

const options = { filePath: '/nonexistent/x.experiment.yaml', checkDataset: false };

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

describe('YAML limits found by fuzzing', () => {
  it('reports flow nesting past the limit at the first bracket beyond it, quickly', () => {
    const text = `name: deep\ndata: ${'[1,\n'.repeat(100_000)}`;
    const { value: diagnostics, ms } = timed(() => validateExperiment(text, options));
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
    assert.equal(diagnostics.length, 1);
    // Bracket k opens line k (counting "data:" as line 1), so bracket MAX_FLOW_DEPTH + 1 starts line MAX_FLOW_DEPTH + 1.
    assert.deepEqual(diagnostics[0]!.range.start, { line: MAX_FLOW_DEPTH + 1, character: 0 });
    assert.match(diagnostics[0]!.message, /nest more than 64 levels/);
  });

  it('does not count brackets in plain scalars, quotes or comments', () => {
    const many = '['.repeat(200);
    const text = `name: a${many}\ndescription: "${many}" # ${many}\nnote: '${many}''${many}'\n`;
    assert.equal(flowNestingOverflow(text), undefined);
    assert.equal(flowNestingOverflow(`a: ${'['.repeat(MAX_FLOW_DEPTH)}${']'.repeat(MAX_FLOW_DEPTH)}`), undefined);
    assert.equal(flowNestingOverflow(`a: ${'['.repeat(MAX_FLOW_DEPTH + 1)}`), 3 + MAX_FLOW_DEPTH);
    for (const valid of validExperiments) assert.equal(flowNestingOverflow(valid), undefined);
  });

  it('lists at most 100 YAML problems and says how many more there are', () => {
    const text = `name: x\ndescription: ${'"'.repeat(4_000)}\ntrain: 1\n`;
    const { value: diagnostics, ms } = timed(() => validateExperiment(text, options));
    assert.ok(ms < 3_000, `took ${ms.toFixed(0)} ms`);
    assert.equal(diagnostics.length, 101);
    // 2,000 empty quoted scalars after the first: one error each (counted from the text, not from the code).
    assert.match(diagnostics.at(-1)!.message, /^YAML: 1899 more problems/);
  });

  it('refuses a line longer than any experiment line without parsing it, quickly', () => {
    const text = `name: x\ndescription: ${'"'.repeat(1_000_000)}\ntrain: 1\n`;
    const { value: diagnostics, ms } = timed(() => validateExperiment(text, options));
    assert.ok(ms < 200, `took ${ms.toFixed(0)} ms`);
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(diagnostics[0]!.range.start, { line: 1, character: 0 });
    assert.match(diagnostics[0]!.message, /^Line 2 is 1000013 characters long; an experiment's lines are at most 4096/);
  });
});
