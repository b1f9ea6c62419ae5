// The extension manifest (package.json) checked against facts that live elsewhere: the command ids the extension
// sources register, the grammar file on disk, the VS Code version vscode-languageclient requires and the
// @types/vscode actually installed.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(__dirname, '../..');

interface Manifest {
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  capabilities: {
    untrustedWorkspaces: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] };
  };
  contributes: {
    commands: Array<{ command: string; title: string }>;
    menus?: Record<string, Array<{ command: string; when?: string }>>;
    keybindings?: Array<{ command: string }>;
    languages: Array<{ id: string; filenamePatterns?: string[]; configuration?: string }>;
    grammars: Array<{ language: string; scopeName: string; path: string }>;
    configuration: { properties: Record<string, { scope?: string }> };
  };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const manifest = readJson<Manifest>(path.join(root, 'package.json'));
const declaredCommands = new Set(manifest.contributes.commands.map((c) => c.command));

function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Command ids passed as literals to registerCommand / registerTextEditorCommand anywhere in extension/. */
function registeredCommands(): Set<string> {
  const ids = new Set<string>();
  const call = /register(?:TextEditor)?Command\(\s*(['"`])([^'"`]+)\1/g;
  for (const file of typeScriptFiles(path.join(root, 'extension'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(call)) ids.add(match[2]!);
  }
  return ids;
}

/**
 * The lowest version a range like "^1.90.0", "~1.90.0", ">=1.90.0" or "1.90.0" admits. Written here because the
 * manifest only uses these forms and this test may not add a dependency; anything else fails loudly.
 */
function minimumVersion(range: string): [number, number, number] {
  const match = /^(?:\^|~|>=)?\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  assert.ok(match, `unsupported version range '${range}'`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

describe('extension manifest', () => {
  it('declares every command that a menu or keybinding refers to', () => {
    const referenced = [
      ...Object.values(manifest.contributes.menus ?? {})
        .flat()
        .map((item) => item.command),
      ...(manifest.contributes.keybindings ?? []).map((k) => k.command),
    ];
    assert.ok(referenced.length > 0, 'expected the palette entries the lead set');
    for (const id of referenced) assert.ok(declaredCommands.has(id), `${id} is used in a menu but not declared`);
  });

  it('declares every command the extension registers', () => {
    const registered = registeredCommands();
    assert.ok(registered.has('radlab.newExperiment'), 'radlab.newExperiment should be registered');
    for (const id of registered)
      assert.ok(declaredCommands.has(id), `${id} is registered but not in contributes.commands`);
  });

  it('registers every command the palette always shows', () => {
    const hidden = new Set(
      (manifest.contributes.menus?.commandPalette ?? [])
        .filter((item) => item.when !== undefined && item.when !== 'true')
        .map((item) => item.command),
    );
    const registered = registeredCommands();
    for (const id of declaredCommands) {
      if (!hidden.has(id)) assert.ok(registered.has(id), `${id} shows in the command palette but nothing registers it`);
    }
  });

  it('points the language and grammar at files that exist and agree with them', () => {
    const languageIds = new Set(manifest.contributes.languages.map((l) => l.id));
    for (const language of manifest.contributes.languages) {
      if (language.configuration !== undefined) {
        assert.ok(existsSync(path.join(root, language.configuration)), `${language.configuration} is missing`);
      }
    }
    assert.ok(manifest.contributes.grammars.length > 0);
    for (const grammar of manifest.contributes.grammars) {
      const file = path.join(root, grammar.path);
      assert.ok(existsSync(file), `${grammar.path} is missing`);
      assert.equal(
        readJson<{ scopeName: string }>(file).scopeName,
        grammar.scopeName,
        `${grammar.path} declares another scopeName`,
      );
      assert.ok(languageIds.has(grammar.language), `grammar for undeclared language ${grammar.language}`);
    }
  });

  it('activates on a declared language and on workspaces holding experiment files the language claims', () => {
    const languageIds = new Set(manifest.contributes.languages.map((l) => l.id));
    const patterns = new Set(manifest.contributes.languages.flatMap((l) => l.filenamePatterns ?? []));
    const onLanguage = manifest.activationEvents.filter((e) => e.startsWith('onLanguage:'));
    const workspaceContains = manifest.activationEvents.filter((e) => e.startsWith('workspaceContains:'));
    assert.ok(onLanguage.length > 0 && workspaceContains.length > 0);
    for (const event of onLanguage)
      assert.ok(languageIds.has(event.slice('onLanguage:'.length)), `${event}: no such language`);
    for (const event of workspaceContains) {
      const glob = event.slice('workspaceContains:'.length);
      assert.ok(glob.startsWith('**/') && patterns.has(glob.slice(3)), `${event} looks for files no language claims`);
    }
  });

  it('asks for a VS Code at least as new as vscode-languageclient needs, and no older than @types/vscode', () => {
    const engine = minimumVersion(manifest.engines.vscode);
    const languageClient = readJson<{ engines: { vscode: string } }>(
      path.join(root, 'node_modules/vscode-languageclient/package.json'),
    );
    assert.ok(
      compareVersions(engine, minimumVersion(languageClient.engines.vscode)) >= 0,
      `engines.vscode ${manifest.engines.vscode} is older than vscode-languageclient's ${languageClient.engines.vscode}`,
    );
    const installedTypes = readJson<{ version: string }>(
      path.join(root, 'node_modules/@types/vscode/package.json'),
    ).version;
    for (const typesVersion of [installedTypes, manifest.devDependencies['@types/vscode']!]) {
      assert.ok(
        compareVersions(minimumVersion(typesVersion), engine) <= 0,
        `@types/vscode ${typesVersion} is newer than engines.vscode ${manifest.engines.vscode}: vsce refuses to package`,
      );
    }
  });

  it('describes limited untrusted-workspace support and restricts only settings that exist', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.ok(trust.supported === 'limited' || trust.supported === true);
    if (trust.supported === 'limited')
      assert.ok((trust.description ?? '').length > 0, 'limited support needs a description');
    for (const setting of trust.restrictedConfigurations ?? []) {
      const property = manifest.contributes.configuration.properties[setting];
      assert.ok(property !== undefined, `restricted setting ${setting} is not contributed`);
    }
  });
});
