// Hostile input must never take the server down or leave a request unanswered: truncated YAML, tabs, wrong types
// everywhere, random bytes, an empty file, a 5,000-line file, and positions outside the document.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CompletionItem, Diagnostic, DocumentSymbol, Hover } from 'vscode-languageserver-protocol';
import { fixture, unsavedFixtureUri } from './fixtures';
import { LspTestClient } from './lspClient';

/** Deterministic bytes (mulberry32), so a failure can be reproduced. */
function randomBytes(count: number, seed: number): Buffer {
  let state = seed >>> 0;
  const bytes = Buffer.alloc(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return bytes;
}

const valid = fixture('valid.experiment.yaml').text;

const wrongTypesEverywhere = `name: [1, 2]
description: { a: b }
data:
  root: 42
  synthetic: yes please
  condition: [spinal_canal_stenosis]
  levels: L1/L2
  series: 3
  input: [crop]
  split: 0.5
model:
  backbones: { resnet18: true }
  pretrained: 7
  level_embedding: wide
  head: [512]
  freeze_backbone: "true"
  unfreeze_last_n: -3.5
train:
  optimizer: adamw
  schedule: [cosine]
  batch_size: 1e400
  epochs: .nan
  loss: { name: [x], class_weights: [a, b] }
  augment: 0.5
  engine: ~
  threads: { n: 2 }
output: 12
`;

/** 5,000 lines: a valid head, then blocks of unknown sections, each a small mapping with a nested list.
 * (Not one mapping of 5,000 keys: the yaml package's duplicate-key check is quadratic in a mapping's size,
 * ~0.5 s per parse at 5,000 keys, which would measure the library rather than the server.) */
function fiveThousandLines(): string {
  const lines = valid.trimEnd().split('\n');
  for (let block = 0; lines.length < 5000; block++) {
    lines.push(`section_${block}:  # not an experiment key`, `  learning_rate: ${block / 1000}`, '  layers:');
    for (let i = 0; i < 5; i++) lines.push(`    - { width: ${64 * (i + 1)}, dropout: 0.${i} }`);
    lines.push(`  note: "block ${block} of a very long file"`, '');
  }
  return `${lines.slice(0, 5000).join('\n')}\n`;
}

const hostileInputs: Record<string, string> = {
  'truncated YAML': valid.slice(0, valid.indexOf('val: 0.2') + 5),
  'unterminated quote and flow list': 'name: "abc\ndata:\n  levels: [L1/L2, \n  root: \'x',
  tabs: 'name: tabs\ndata:\n\troot: datasets/complete\n\tcondition:\tspinal_canal_stenosis\nmodel:\n\t\tbackbones: resnet18\n',
  'wrong types everywhere': wrongTypesEverywhere,
  'random bytes': randomBytes(4096, 20240611).toString('latin1'),
  'random UTF-8': randomBytes(4096, 7).toString('utf8'),
  'empty file': '',
  'only whitespace and comments': '   \n# nothing\n\t\n',
  'anchors, aliases and tags': 'a: &x { b: *x }\ndata: !!binary aGVsbG8=\nmodel: *undefined\n---\nname: two\n',
  'five thousand lines': fiveThousandLines(),
};

describe('robustness of the language server', () => {
  let client: LspTestClient;
  before(async () => {
    client = LspTestClient.start();
    await client.initialize();
  });
  after(() => client.kill());

  for (const [name, text] of Object.entries(hostileInputs)) {
    it(`answers every request on ${name}`, { timeout: 20_000 }, async () => {
      const uri = unsavedFixtureUri(`hostile-${name.replace(/\W+/g, '-')}.experiment.yaml`);
      const published = await client.open(uri, text);
      const diagnostics: Diagnostic[] = published.diagnostics;
      assert.ok(Array.isArray(diagnostics));
      assert.ok(diagnostics.length > 0, 'broken input gets at least one diagnostic');
      const lines = text.split('\n');
      const lastLine = lines.length - 1;
      // Positions inside, at the end of and beyond the document (clients race edits against requests).
      const positions = [
        { line: 0, character: 0 },
        { line: 1, character: 3 },
        { line: Math.floor(lastLine / 2), character: 4 },
        { line: lastLine, character: lines[lastLine]!.length },
        { line: lastLine + 50, character: 0 },
        { line: 0, character: 100_000 },
      ];
      for (const position of positions) {
        const items = await client.request<CompletionItem[] | null>('textDocument/completion', {
          textDocument: { uri },
          position,
        });
        assert.ok(items === null || Array.isArray(items));
        const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
        assert.ok(hover === null || typeof hover === 'object');
      }
      const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.ok(Array.isArray(symbols));
      const actions = await client.request<unknown[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: lastLine, character: 0 } },
        context: { diagnostics },
      });
      assert.ok(Array.isArray(actions));
      // Editing the hostile text keeps the server answering too.
      const edited = await client.change(uri, [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' },
      ]);
      assert.ok(Array.isArray(edited.diagnostics));
      await client.close(uri);
      assert.ok(client.alive, 'server process still running');
      assert.deepEqual(client.errorLogs(), [], 'no handler threw');
    });
  }

  it('answers requests for documents it never opened and malformed parameters', async () => {
    const uri = unsavedFixtureUri('never-opened.experiment.yaml');
    const position = { line: 0, character: 0 };
    assert.deepEqual(await client.request('textDocument/completion', { textDocument: { uri }, position }), []);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position }), null);
    assert.deepEqual(await client.request('textDocument/documentSymbol', { textDocument: { uri } }), []);
    // A codeAction without context is a client bug, answered with an empty list rather than a dead server.
    const valid = fixture('valid.experiment.yaml');
    await client.open(valid.uri, valid.text);
    assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri: valid.uri } }), []);
    assert.equal(client.errorLogs().length, 1, 'the malformed request was logged');
    await client.close(valid.uri);
    assert.ok(client.alive);
  });

  it('still validates a normal document after all of the above', async () => {
    const broken = fixture('bad-enum.experiment.yaml');
    const published = await client.open(broken.uri, broken.text);
    assert.deepEqual(
      published.diagnostics.map((d) => d.code),
      ['bad-enum'],
    );
    await client.close(broken.uri);
    assert.equal(await client.shutdown(), 0);
  });
});
