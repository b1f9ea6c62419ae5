// Bundles what RadLab ships: the extension host, the language server, the radlab CLI and its DICOM decoding worker
// (Node, CommonJS, `vscode` provided by the editor) and the webview front-ends (browser, one file per panel).
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';

// Packages with native binaries or wasm loaded from their own folder cannot be inlined into a bundle.
// tfjs-core is bundled (from its ES modules, so its gradient registrations join the same module graph); the
// external backends load their own copy, which shares the one engine and kernel registry through tfjs's globals.
const nodeExternals = [
  'vscode',
  'sharp',
  '@napi-rs/canvas',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
  '@cornerstonejs/*',
];

const nodePrograms = {
  extension: 'extension/extension.ts',
  server: 'language-server/server.ts',
  cli: 'core/cli.ts',
  // DICOM decoding threads start this file beside cli.js (core/data/inputBuilder.ts).
  dataWorker: 'core/data/sampleWorker.ts',
};

const webviewEntries = existsSync('webview')
  ? readdirSync('webview')
      .filter((f) => f.endsWith('.panel.ts'))
      .map((f) => `webview/${f}`)
  : [];

// A panel's bundle left from an earlier build of a panel since removed would ship in the .vsix, which takes every
// dist/webview/*.js: each build removes the outputs no entry makes.
const panelNames = new Set(webviewEntries.map((entry) => entry.slice('webview/'.length, -'.ts'.length)));
if (existsSync('dist/webview')) {
  for (const file of readdirSync('dist/webview')) {
    const panel = /^(.*\.panel)\.(js|css)(\.map)?$/.exec(file)?.[1];
    if (panel !== undefined && !panelNames.has(panel)) rmSync(`dist/webview/${file}`);
  }
}

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  ...Object.entries(nodePrograms).map(([name, entry]) =>
    build({
      ...common,
      entryPoints: { [name]: entry },
      outdir: 'dist',
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: nodeExternals,
      mainFields: ['module', 'main'],
      banner: name === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
    }),
  ),
  webviewEntries.length > 0 &&
    build({
      ...common,
      entryPoints: webviewEntries,
      outdir: 'dist/webview',
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
    }),
]);
