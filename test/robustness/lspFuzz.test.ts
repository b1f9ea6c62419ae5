// A seeded fuzzer against the real language server (dist/server.js over stdio) and the same
// corpus through `radlab validate`. The server must answer every request, publish diagnostics for every version,
// never log a handler exception and never exit; validate must end with 0 or 1 and print diagnostics, never throw.
// Latency percentiles over 10,000 documents are measured by bench/robustness/lspFuzz.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-protocol';
import { run as validate } from '../../core/cli/validateCommand';
import { unsavedFixtureUri } from '../lsp/fixtures';
import { LspTestClient } from '../lsp/lspClient';
import { fuzzDocument, type CorpusSizes } from './experimentCorpus';
import { SeededRandom } from './seededRandom';

const SEED = 20260611;
const DOCUMENTS = 48;
const SIZES: CorpusSizes = { longLine: 200_000, depth: 1_500 };

function randomPosition(random: SeededRandom, text: string): Position {
  const lines = text.split('\n');
  // Mostly inside the text; sometimes past its end, as a client racing its own edits sends.
  const line = random.chance(0.9) ? random.int(0, lines.length - 1) : lines.length + random.int(0, 50);
  const length = lines[line]?.length ?? 0;
  return { line, character: random.chance(0.9) ? random.int(0, length) : length + random.int(1, 500) };
}

function randomRange(random: SeededRandom, text: string): Range {
  const a = randomPosition(random, text);
  const b = randomPosition(random, text);
  return a.line < b.line || (a.line === b.line && a.character <= b.character)
    ? { start: a, end: b }
    : { start: b, end: a };
}

describe('language server under a seeded fuzzer', () => {
  let client: LspTestClient;
  before(async () => {
    client = LspTestClient.start();
    await client.initialize();
  });
  after(() => client.kill());

  it(`answers every request for ${DOCUMENTS} fuzzed documents (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const kinds = new Map<string, number>();
    for (let i = 0; i < DOCUMENTS; i++) {
      const document = fuzzDocument(SEED, i, SIZES);
      kinds.set(document.kind, (kinds.get(document.kind) ?? 0) + 1);
      const random = new SeededRandom(SEED + i);
      // Under the LSP fixture folder, so the relative dataset paths of edited documents resolve and get checked.
      const uri = unsavedFixtureUri(`fuzz-${i}.experiment.yaml`);
      const context = `document ${i} (${document.kind}, seed ${SEED})`;
      let published = await client.open(uri, document.text);
      const text = document.text;
      // Positions stay relative to the opened text: after an edit some fall outside the document, which is the point.
      for (let edit = 0; edit < 3; edit++) {
        const range = randomRange(random, text);
        const insert = random.pick(['', 'x', ': ', '\n', '  - ', '[', '}', '\t', 'epochs: 3\n', '\u0000']);
        published = await client.change(uri, [{ range, text: insert }]);
      }
      assert.ok(Array.isArray(published.diagnostics), context);
      for (let request = 0; request < 4; request++) {
        const position = randomPosition(random, text);
        const completion = await client.request<unknown>('textDocument/completion', {
          textDocument: { uri },
          position,
        });
        assert.ok(completion === null || Array.isArray(completion), `${context}: completion`);
        const hover = await client.request<unknown>('textDocument/hover', { textDocument: { uri }, position });
        assert.ok(hover === null || typeof hover === 'object', `${context}: hover`);
      }
      const symbols = await client.request<unknown>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.ok(Array.isArray(symbols), `${context}: documentSymbol`);
      const diagnostics: Diagnostic[] = published.diagnostics;
      const actions = await client.request<unknown>('textDocument/codeAction', {
        textDocument: { uri },
        range: randomRange(random, text),
        context: { diagnostics },
      });
      assert.ok(Array.isArray(actions), `${context}: codeAction`);
      await client.close(uri);
      assert.ok(client.alive, `${context}: the server exited`);
      assert.deepEqual(client.errorLogs(), [], `${context}: a handler threw`);
    }
    // The corpus really mixes every kind of input (otherwise the fuzzer tests less than it claims).
    assert.deepEqual([...kinds.keys()].sort(), ['deep-nesting', 'edited', 'long-line', 'random-bytes', 'random-yaml']);
    assert.equal(await client.shutdown(), 0);
  });
});

describe('radlab validate under the same corpus', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radlab-validate-fuzz-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it(`ends with exit 0 or 1 and printed diagnostics for ${DOCUMENTS * 2} documents`, { timeout: 60_000 }, async () => {
    const file = join(folder, 'fuzz.experiment.yaml');
    const exits = new Map<number, number>();
    for (let i = 0; i < DOCUMENTS * 2; i++) {
      const document = fuzzDocument(SEED + 1, i, SIZES);
      writeFileSync(file, document.text);
      const printed: string[] = [];
      const writeOut = process.stdout.write;
      const writeErr = process.stderr.write;
      const capture = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
      process.stdout.write = capture;
      process.stderr.write = capture;
      let code: number;
      try {
        code = await validate([file, '--json']);
      } finally {
        process.stdout.write = writeOut;
        process.stderr.write = writeErr;
      }
      const context = `document ${i} (${document.kind}, seed ${SEED + 1})`;
      assert.ok(code === 0 || code === 1, `${context}: exit ${code}: ${printed.join('').slice(0, 500)}`);
      const records = JSON.parse(printed.join('')) as { severity: string; message: string }[];
      assert.equal(
        records.some((r) => r.severity === 'error'),
        code === 1,
        `${context}: exit code matches the errors`,
      );
      assert.ok(!/\n\s+at /.test(printed.join('')), `${context}: a stack trace was printed`);
      exits.set(code, (exits.get(code) ?? 0) + 1);
    }
    assert.ok((exits.get(1) ?? 0) > DOCUMENTS, 'most fuzzed documents are invalid and say so');
  });
});
