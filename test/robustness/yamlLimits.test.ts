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
    const prefix = 'name: deep\ndata: ';
    const text = `${prefix}${'[1, '.repeat(100_000)}\n`;
    const { value: diagnostics, ms } = timed(() => validateExperiment(text, options));
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
    assert.equal(diagnostics.length, 1);
    // Bracket number MAX_FLOW_DEPTH + 1 sits at 4 * MAX_FLOW_DEPTH characters into line 1 (each "[1, " is 4 long).
    assert.deepEqual(diagnostics[0]!.range.start, { line: 1, character: 'data: '.length + 4 * MAX_FLOW_DEPTH });
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
    const text = `name: x\ndescription: ${'"'.repeat(300_000)}\ntrain: 1\n`;
    const { value: diagnostics, ms } = timed(() => validateExperiment(text, options));
    assert.ok(ms < 3_000, `took ${ms.toFixed(0)} ms`);
    assert.equal(diagnostics.length, 101);
    // 150,000 empty quoted scalars after the first: one error each (counted from the text, not from the code).
    assert.match(diagnostics.at(-1)!.message, /^YAML: 149899 more problems/);
  });
});
