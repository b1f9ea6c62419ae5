// What a reader sees of hover cards and completion entries: the hover Markdown rendered by a CommonMark renderer
// keeps every placeholder in angle brackets, and a value's meaning appears once in the completion list.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { completeExperiment, hoverExperiment } from '../../core/experiment/languageService';
import { markdownText } from '../../core/experiment/markdownText';
import { renderedHtml, visibleText } from '../helpers/renderedMarkdown';

const file = join(__dirname, '..', 'fixtures', 'experiment', 'inline.experiment.yaml');

function hoverAt(text: string, line: number, character: number): string {
  const hover = hoverExperiment(text, { line, character }, file);
  assert.ok(hover !== null, `a hover at ${line}:${character}`);
  return hover.markdown;
}

describe('hover text as rendered', () => {
  it('keeps <output>/<name>/ in the meaning of name', () => {
    const markdown = hoverAt('name: demo\n', 0, 2);
    assert.match(visibleText(markdown), /runs are written to <output>\/<name>\/\./);
    assert.match(renderedHtml(markdown), /<strong>name<\/strong>/);
  });

  it('keeps <backbone>.pth and <backbone>.safetensors in the meaning of model.pretrained', () => {
    const markdown = hoverAt('model:\n  pretrained: none\n', 1, 4);
    assert.match(visibleText(markdown), /a folder holding <backbone>\.pth or <backbone>\.safetensors/);
  });

  it('escapes every character a renderer would take for markup, and only reads as the same text', () => {
    const plain = 'a <tag> & *stars* `code` [link](x) _lead and under_score | pipe ~tilde~ back\\slash';
    assert.equal(visibleText(markdownText(plain)), plain);
  });
});

describe('completion of a value', () => {
  it('gives each condition its meaning once, as the entry detail', () => {
    const text = 'data:\n  condition: \n';
    const entries = completeExperiment(text, { line: 1, character: 13 }, file);
    const canal = entries.find((entry) => entry.label === 'spinal_canal_stenosis');
    assert.ok(canal !== undefined, `spinal_canal_stenosis is offered (got ${entries.map((e) => e.label).join(', ')})`);
    assert.match(canal.detail ?? '', /Central canal narrowing/);
    assert.equal(canal.documentation, undefined, 'the meaning is not repeated as documentation');
    assert.equal(entries.filter((entry) => entry.label === 'spinal_canal_stenosis').length, 1, 'offered once');
  });
});
