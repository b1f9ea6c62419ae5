// The WebAssembly modules RadLab commits (the resampler's and the training kernels') are exactly what their
// AssemblyScript sources compile to, so the source a reader sees is the code that runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { compileModule, generatedModuleText, WASM_MODULES } from '../scripts/generate-wasm';

const root = join(__dirname, '..');

for (const module of WASM_MODULES) {
  test(`${relative(root, module.generated)} is what ${relative(root, module.source)} compiles to (run \`npm run wasm\` after editing it)`, async () => {
    assert.equal(readFileSync(module.generated, 'utf8'), generatedModuleText(module, await compileModule(module)));
  });
}
