// The language server parses a long open document by sections (core/experiment/incrementalParse.ts). Over a
// scripted run of edits on the 2,000-line experiment (sections moved, an error far down, a quote left open across
// a section boundary, the document closed and opened again with other text), everything it answers must equal
// what the shared functions give for the same text parsed whole, in this process.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import {
  hoverExperiment,
  outlineExperiment,
  validateExperiment,
  type Position,
} from '../../core/experiment/languageService';
import { experimentTemplate } from '../../core/experiment/template';
import { toDocumentSymbol, toHover, toLspDiagnostic } from '../../language-server/lspConversions';
import { fixtureFolder } from './fixtures';
import { twoThousandLines } from './generatedExperiment';
import { fileUri, LspTestClient } from './lspClient';

const filePath = resolve(fixtureFolder, 'long-unsaved.experiment.yaml');
const uri = fileUri(filePath);

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Replaces the first `find` at or after `from` by `by`: the new text and the didChange event that makes it. */
function replace(
  text: string,
  find: string,
  by: string,
  from = 0,
): { text: string; change: TextDocumentContentChangeEvent } {
  const at = text.indexOf(find, from);
  assert.ok(at >= 0, `"${find}" is not in the text`);
  const range = { start: positionOf(text, at), end: positionOf(text, at + find.length) };
  return { text: text.slice(0, at) + by + text.slice(at + find.length), change: { range, text: by } };
}

describe('language server on a long document edited by sections', () => {
  let client: LspTestClient;
  before(async () => {
    client = LspTestClient.start();
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  it('answers diagnostics, hover and the outline as a whole parse of each version does', async () => {
    let text = twoThousandLines(experimentTemplate({ name: 'long', dataRoot: 'datasets/complete', synthetic: false }));
    const opened = await client.open(uri, text);
    let version = 1;
    const expectSame = async (published: { diagnostics: unknown[] }, what: string) => {
      const whole = validateExperiment(text, { filePath, checkDataset: true }).map((d) => toLspDiagnostic(d, version));
      assert.deepEqual(published.diagnostics, whole, `${what}: diagnostics`);
      // Hover on the last top-level key and on a hidden layer deep in the model section, wherever they now are.
      for (const offset of [text.lastIndexOf('\noutput:') + 2, text.indexOf('  - 112') + 5]) {
        const position = positionOf(text, offset);
        const info = hoverExperiment(text, position, filePath);
        const hover = await client.request('textDocument/hover', { textDocument: { uri }, position });
        assert.deepEqual(hover, info === null ? null : toHover(info), `${what}: hover at ${JSON.stringify(position)}`);
      }
      const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
      assert.deepEqual(symbols, outlineExperiment(text).map(toDocumentSymbol), `${what}: outline`);
    };
    await expectSame(opened, 'opened');
    assert.equal(opened.diagnostics.length, 0, 'the generated experiment is valid');

    const edits: [string, string, string][] = [
      ['epochs changed in the train section', 'epochs: 30', 'epochs: 31'],
      ['a misspelt key added at the top, moving every section below', 'name: long\n', 'name: long\nnmae: x\n'],
      ['a batch size out of range below the long model section', 'batch_size: 32', 'batch_size: 0'],
      ['a quote opened across the name section boundary', 'name: long', 'name: "long'],
      ['the quote closed again', 'name: "long', 'name: "long"'],
      ['a wrong type deep in the model section', '  - 112\n', '  - wide\n'],
      ['the misspelt key removed', 'nmae: x\n', ''],
    ];
    for (const [what, find, by] of edits) {
      const edited = replace(text, find, by);
      text = edited.text;
      version++;
      await expectSame(await client.change(uri, [edited.change]), what);
    }
    // After didClose the document starts over: a different text under the same URI is parsed afresh.
    await client.close(uri);
    text = text.replace('epochs: 31', 'epochs: 5');
    version = 1;
    await expectSame(await client.open(uri, text), 'reopened with other text');
  });
});
