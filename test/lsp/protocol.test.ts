// The real bundled language server over stdio: lifecycle, diagnostics with hand-computed ranges for every
// diagnostic kind, edits, completion, hover, quick fixes, the outline and the checkDataset setting.
// Expected ranges are counted by hand from the fixture files in test/fixtures/lsp (0-based lines, UTF-16 columns).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InitializeResult,
  MarkupContent,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fixture, range, unsavedFixtureUri } from './fixtures';
import { fullClientCapabilities, LspTestClient } from './lspClient';

const trainKeys = [
  'optimizer',
  'schedule',
  'batch_size',
  'accumulate_steps',
  'epochs',
  'loss',
  'augment',
  'normalize',
  'select_best',
  'calibrate',
  'early_stopping',
  'grad_clip',
  'seed',
  'engine',
  'threads',
];
const backboneNames = [
  'resnet18',
  'resnet50',
  'resnet152',
  'convnext_tiny',
  'convnext_base',
  'vit_ti_16',
  'vit_s_16',
  'vit_b_16',
  'swin_t',
  'swin_b',
  'beit_s_16',
  'beit_b_16',
  'efficientnet_v2_s',
  'efficientnet_v2_m',
];

function only(diagnostics: Diagnostic[]): Diagnostic {
  assert.equal(diagnostics.length, 1, `expected one diagnostic, got ${JSON.stringify(diagnostics, null, 1)}`);
  return diagnostics[0]!;
}

function markdownOf(hover: Hover | null): string {
  assert.ok(hover, 'expected a hover');
  return (hover.contents as MarkupContent).value;
}

describe('language server over stdio', () => {
  let client: LspTestClient;
  let initializeResult: InitializeResult;

  before(async () => {
    client = LspTestClient.start();
    initializeResult = await client.initialize();
  });
  after(() => client.kill());

  it('announces its capabilities in the initialize result', () => {
    const capabilities = initializeResult.capabilities;
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 });
    assert.deepEqual([...(capabilities.completionProvider?.triggerCharacters ?? [])].sort(), [' ', '-', '/', ':']);
    assert.equal(capabilities.hoverProvider, true);
    assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
    assert.ok(capabilities.documentSymbolProvider);
  });

  it('publishes no diagnostics for a valid experiment', async () => {
    const valid = fixture('valid.experiment.yaml');
    const published = await client.open(valid.uri, valid.text);
    assert.deepEqual(published.diagnostics, []);
    await client.close(valid.uri);
  });

  // One fixture per diagnostic kind, each differing from valid.experiment.yaml in one line.
  const cases: { file: string; code: string; range: ReturnType<typeof range>; fix?: string }[] = [
    // line 12 `  epocs: 5`: the key
    { file: 'unknown-key.experiment.yaml', code: 'unknown-key', range: range(12, 2, 12, 7), fix: 'epochs' },
    // line 11 `  batch_size: sixteen`: the value
    { file: 'wrong-type.experiment.yaml', code: 'wrong-type', range: range(11, 14, 11, 21) },
    // line 12 `  epochs: 0`: the value (epochs starts at 1)
    { file: 'out-of-range.experiment.yaml', code: 'out-of-range', range: range(12, 10, 12, 11) },
    // line 13 `  engine: wasmm`: the value
    { file: 'bad-enum.experiment.yaml', code: 'bad-enum', range: range(13, 10, 13, 15), fix: 'wasm' },
    // data.condition removed: the `data` key on line 1
    { file: 'missing-required.experiment.yaml', code: 'missing-required', range: range(1, 0, 1, 4) },
    // line 13 `  epochs: 6` repeats line 12: the second key
    { file: 'duplicate-key.experiment.yaml', code: 'duplicate-key', range: range(13, 2, 13, 8) },
    // line 5 `  split: { train: 0.6, val: 0.3, test: 0.2, ...}` sums to 1.1: the `split` key
    { file: 'split-sum.experiment.yaml', code: 'split-sum', range: range(5, 2, 5, 7) },
    // line 2 `  root: datasets/absent`: the value
    { file: 'path-missing.experiment.yaml', code: 'path-missing', range: range(2, 8, 2, 23) },
    // line 2 `  root: datasets/no-csv` (a folder holding only train_images/): the value
    { file: 'dataset-incomplete.experiment.yaml', code: 'dataset-incomplete', range: range(2, 8, 2, 23) },
    // datasets/foraminal-only/train.csv has no spinal_canal_stenosis_* column: line 3's condition value
    { file: 'condition-missing.experiment.yaml', code: 'condition-missing', range: range(3, 13, 3, 34) },
    // line 9 `  unfreeze_last_n: 500`; resnet18 has far fewer parameter tensors: the value
    { file: 'unfreeze-too-many.experiment.yaml', code: 'unfreeze-too-many', range: range(9, 19, 9, 22) },
  ];
  for (const testCase of cases) {
    it(`reports ${testCase.code} at its exact range (${testCase.file})`, async () => {
      const file = fixture(testCase.file);
      const published = await client.open(file.uri, file.text);
      const diagnostic = only(published.diagnostics);
      assert.equal(diagnostic.code, testCase.code);
      assert.deepEqual(diagnostic.range, testCase.range);
      assert.equal(diagnostic.severity, 1);
      assert.equal(diagnostic.source, 'radlab');
      assert.ok(diagnostic.message.length > 10, diagnostic.message);
      if (testCase.fix !== undefined) {
        const fixes = (diagnostic.data as { fixes: { edit: { newText: string } }[] }).fixes;
        assert.deepEqual(
          fixes.map((f) => f.edit.newText),
          [testCase.fix],
        );
        assert.match(diagnostic.message, new RegExp(testCase.fix));
      }
      await client.close(file.uri);
    });
  }

  it('updates diagnostics after incremental and full didChange', async () => {
    const valid = fixture('valid.experiment.yaml');
    const uri = unsavedFixtureUri('edited.experiment.yaml');
    assert.deepEqual((await client.open(uri, valid.text)).diagnostics, []);
    // `  epochs: 5` → `  epochs: 0` on line 12
    const broken = await client.change(uri, [{ range: range(12, 10, 12, 11), text: '0' }]);
    const diagnostic = only(broken.diagnostics);
    assert.equal(diagnostic.code, 'out-of-range');
    assert.deepEqual(diagnostic.range, range(12, 10, 12, 11));
    // Insert a line above: the same error moves down one line.
    const shifted = await client.change(uri, [{ range: range(0, 0, 0, 0), text: '# a comment\n' }]);
    assert.deepEqual(only(shifted.diagnostics).range, range(13, 10, 13, 11));
    const repaired = await client.change(uri, [{ text: valid.text }]);
    assert.deepEqual(repaired.diagnostics, []);
    await client.close(uri);
  });

  it("completes a section's keys at a key position, leaving out keys already written", async () => {
    const valid = fixture('valid.experiment.yaml');
    // A blank indented line inside `train:` after `  engine: wasm` (line 13).
    const text = valid.text.replace('  engine: wasm\n', '  engine: wasm\n  \n');
    const uri = unsavedFixtureUri('complete-keys.experiment.yaml');
    await client.open(uri, text);
    const items = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 14, character: 2 },
    });
    const written = ['batch_size', 'epochs', 'engine'];
    assert.deepEqual(items.map((item) => item.label).sort(), trainKeys.filter((key) => !written.includes(key)).sort());
    assert.ok(
      items.every((item) => item.kind === 10),
      'keys are Property items',
    );
    await client.close(uri);
  });

  it('completes backbones with a detail after `backbones:`', async () => {
    const valid = fixture('valid.experiment.yaml');
    const uri = unsavedFixtureUri('complete-backbones.experiment.yaml');
    await client.open(uri, valid.text.replace('  backbones: resnet18', '  backbones: '));
    const items = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 7, character: 13 },
    });
    assert.deepEqual(items.map((item) => item.label).sort(), [...backboneNames].sort());
    for (const item of items) assert.match(item.detail ?? '', /param/i, `detail of ${item.label}`);
    await client.close(uri);
  });

  it('completes paths with the entries of the folder typed so far', async () => {
    // folder-listing/ holds weights/ (resnet18.pth, convnext_tiny.safetensors) and notes.txt.
    const uri = unsavedFixtureUri('folder-listing/paths.experiment.yaml');
    const text = 'name: paths\nmodel:\n  pretrained: weights/\n';
    await client.open(uri, text);
    const inWeights = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 22 },
    });
    assert.deepEqual(inWeights.map((item) => item.label).sort(), ['convnext_tiny.safetensors', 'resnet18.pth']);
    assert.ok(
      inWeights.every((item) => item.kind === 17),
      'files are File items',
    );
    await client.change(uri, [{ range: range(2, 14, 2, 22), text: '' }]);
    const atTop = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 14 },
    });
    const weights = atTop.find((item) => item.label === 'weights/');
    assert.ok(weights, `weights/ in ${JSON.stringify(atTop.map((item) => item.label))}`);
    assert.equal(weights.kind, 19, 'folders are Folder items');
    await client.close(uri);
  });

  it('hovers a key with its meaning, default and range', async () => {
    const valid = fixture('valid.experiment.yaml');
    await client.open(valid.uri, valid.text);
    const hover = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: valid.uri },
      position: { line: 12, character: 4 },
    });
    const markdown = markdownOf(hover);
    assert.match(markdown, /epochs/);
    assert.match(markdown, /30/, 'default 30');
    assert.match(markdown, /10[,\s]?000/, 'upper bound 10000');
    assert.deepEqual(hover!.range, range(12, 2, 12, 8));
    await client.close(valid.uri);
  });

  it('hovers a backbone name with its parameters and input size', async () => {
    const valid = fixture('valid.experiment.yaml');
    await client.open(valid.uri, valid.text);
    const hover = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: valid.uri },
      position: { line: 7, character: 16 },
    });
    const markdown = markdownOf(hover);
    assert.match(markdown, /resnet18/i);
    // torchvision's resnet18 has 11,689,512 parameters with its ImageNet head (11.2 M without it).
    assert.match(markdown, /11(\.[27]\s?M|,689,512|,176,512)/);
    assert.match(markdown, /224/);
    assert.deepEqual(hover!.range, range(7, 13, 7, 21));
    await client.close(valid.uri);
  });

  it('offers the did-you-mean quick fix, whose edit makes the key valid', async () => {
    const broken = fixture('unknown-key.experiment.yaml');
    const published = await client.open(broken.uri, broken.text);
    const diagnostic = only(published.diagnostics);
    // Once with the diagnostic as published, once as a client that drops `data` sends it back.
    for (const sent of [diagnostic, { ...diagnostic, data: undefined }]) {
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri: broken.uri },
        range: diagnostic.range,
        context: { diagnostics: [sent], only: ['quickfix'] },
      });
      assert.equal(actions.length, 1);
      const action = actions[0]!;
      assert.equal(action.kind, 'quickfix');
      assert.match(action.title, /epochs/);
      const edits = action.edit?.changes?.[broken.uri];
      assert.deepEqual(edits, [{ range: range(12, 2, 12, 7), newText: 'epochs' }]);
      const document = TextDocument.create(broken.uri, 'radlab-experiment', 1, broken.text);
      const fixedText = TextDocument.applyEdits(document, edits!);
      assert.equal(fixedText, fixture('valid.experiment.yaml').text);
    }
    const revalidated = await client.change(broken.uri, [{ range: range(12, 2, 12, 7), text: 'epochs' }]);
    assert.deepEqual(revalidated.diagnostics, []);
    // The old diagnostic no longer matches the document: no fix is offered for it.
    const stale = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: broken.uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    assert.deepEqual(stale, []);
    await client.close(broken.uri);
  });

  it('returns the sections as a hierarchical outline', async () => {
    const valid = fixture('valid.experiment.yaml');
    await client.open(valid.uri, valid.text);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', {
      textDocument: { uri: valid.uri },
    });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['name', 'data', 'model', 'train', 'output'],
    );
    const data = symbols[1]!;
    assert.deepEqual(data.selectionRange, range(1, 0, 1, 4));
    // From the `data` key to the end of its last value, `... seed: 42 }` (line 5 is 70 characters long).
    assert.deepEqual(data.range, range(1, 0, 5, 70));
    assert.deepEqual(
      data.children?.map((s) => s.name),
      ['root', 'condition', 'levels', 'split'],
    );
    assert.deepEqual(
      symbols[3]!.children?.map((s) => s.name),
      ['batch_size', 'epochs', 'engine'],
    );
    await client.close(valid.uri);
  });

  it('shuts down and exits with code 0', async () => {
    const code = await client.shutdown();
    assert.equal(code, 0);
  });
});

describe('the radlab.validation.checkDataset setting', () => {
  it('is read through workspace/configuration and re-read after didChangeConfiguration', async () => {
    const client = LspTestClient.start({ checkDataset: false });
    try {
      await client.initialize();
      const incomplete = fixture('dataset-incomplete.experiment.yaml');
      assert.deepEqual((await client.open(incomplete.uri, incomplete.text)).diagnostics, []);
      client.checkDataset = true;
      const next = client.waitForDiagnostics(incomplete.uri);
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.equal(only((await next).diagnostics).code, 'dataset-incomplete');
    } finally {
      client.kill();
    }
  });

  it('comes from didChangeConfiguration for clients without workspace/configuration', async () => {
    const client = LspTestClient.start({ answerConfiguration: false });
    try {
      await client.initialize(undefined, { ...fullClientCapabilities, workspace: {} });
      const incomplete = fixture('dataset-incomplete.experiment.yaml');
      // Default: checked.
      assert.equal(only((await client.open(incomplete.uri, incomplete.text)).diagnostics).code, 'dataset-incomplete');
      const next = client.waitForDiagnostics(incomplete.uri);
      await client.connection.sendNotification('workspace/didChangeConfiguration', {
        settings: { radlab: { validation: { checkDataset: false } } },
      });
      assert.deepEqual((await next).diagnostics, []);
    } finally {
      client.kill();
    }
  });
});
