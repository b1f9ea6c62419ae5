// Diagnostics that depend on other files follow those files: a dataset folder created or broken after the
// experiment was opened is noticed through workspace/didChangeWatchedFiles and, without any notification, by
// the server's own polling of the paths the experiment refers to.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fixtureFolder, range } from './fixtures';
import { fileUri, LspTestClient } from './lspClient';

const scratch = resolve(__dirname, `../.tmp/lsp-revalidation-${process.pid}`);
const completeDataset = join(fixtureFolder, 'datasets/complete');
const FileChangeType = { Created: 1, Changed: 2, Deleted: 3 } as const;

// Line 2 is `  root: dataset`: the value spans characters 8-15.
const experimentText = `name: revalidate
data:
  root: dataset
  condition: spinal_canal_stenosis
model:
  backbones: resnet18
`;
const rootRange = range(2, 8, 2, 15);

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code as string);
}

/** A folder holding an experiment whose data.root (`dataset`) does not exist yet. */
function experimentFolder(name: string): { folder: string; dataset: string; uri: string } {
  const folder = join(scratch, name);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'revalidate.experiment.yaml');
  writeFileSync(file, experimentText);
  return { folder, dataset: join(folder, 'dataset'), uri: fileUri(file) };
}

describe('re-validation when referenced files change', () => {
  before(() => mkdirSync(scratch, { recursive: true }));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('follows workspace/didChangeWatchedFiles', async () => {
    // Polling slowed to a minute: only the notifications can explain a prompt update.
    const client = LspTestClient.start({ serverArgs: ['--reference-poll-ms=60000'] });
    try {
      await client.initialize();
      const { dataset, uri } = experimentFolder('notified');
      const opened = await client.open(uri, experimentText);
      assert.deepEqual(codes(opened.diagnostics), ['path-missing']);
      assert.deepEqual(opened.diagnostics[0]!.range, rootRange);

      cpSync(completeDataset, dataset, { recursive: true });
      const cleared = client.waitForDiagnostics(uri, undefined, 2000);
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [
          { uri: fileUri(dataset), type: FileChangeType.Created },
          { uri: fileUri(join(dataset, 'train.csv')), type: FileChangeType.Created },
        ],
      });
      assert.deepEqual((await cleared).diagnostics, []);

      rmSync(join(dataset, 'train.csv'));
      const broken = client.waitForDiagnostics(uri, undefined, 2000);
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: fileUri(join(dataset, 'train.csv')), type: FileChangeType.Deleted }],
      });
      const incomplete = (await broken).diagnostics;
      assert.deepEqual(codes(incomplete), ['dataset-incomplete']);
      assert.deepEqual(incomplete[0]!.range, rootRange);
      assert.match(incomplete[0]!.message, /train\.csv/);

      // A change to an unrelated file leaves the document alone.
      const unrelated = client.waitForDiagnostics(uri, undefined, 500).then(
        () => 'published',
        () => 'quiet',
      );
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: fileUri(join(scratch, 'elsewhere.csv')), type: FileChangeType.Created }],
      });
      assert.equal(await unrelated, 'quiet');
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  it('notices on its own, within a few seconds, when the dataset appears and breaks', { timeout: 20_000 }, async () => {
    const client = LspTestClient.start();
    try {
      await client.initialize();
      const { dataset, uri } = experimentFolder('polled');
      assert.deepEqual(codes((await client.open(uri, experimentText)).diagnostics), ['path-missing']);

      const cleared = client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, 5000);
      cpSync(completeDataset, dataset, { recursive: true });
      await cleared;

      const broken = client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0, 5000);
      // The header loses its spinal canal columns: train.csv changes in place.
      writeFileSync(join(dataset, 'train.csv'), 'study_id,left_neural_foraminal_narrowing_l1_l2\n');
      const diagnostics = (await broken).diagnostics;
      assert.deepEqual(codes(diagnostics), ['condition-missing']);
      // Line 3 `  condition: spinal_canal_stenosis`: the value spans characters 13-34.
      assert.deepEqual(diagnostics[0]!.range, range(3, 13, 3, 34));
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });
});
