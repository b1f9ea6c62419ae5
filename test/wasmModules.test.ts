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

/** The ids of a WebAssembly binary's sections, in order (each: an id byte, a LEB128 length, the contents). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // past the magic number and version
  while (at < bytes.length) {
    ids.push(bytes[at++]!);
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!;
      length += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += length;
  }
  return ids;
}

const DATA_SECTION = 11;

for (const module of WASM_MODULES.filter((candidate) => candidate.onBackendHeap)) {
  test(`${relative(root, module.generated)} writes nothing into the heap it imports when instantiated (no data section)`, async () => {
    const binary = await compileModule(module);
    assert.ok(sectionIds(binary).length > 3, 'the section walk found the sections');
    assert.ok(!sectionIds(binary).includes(DATA_SECTION), 'a data section would overwrite the backend heap');
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(Uint8Array.from(binary)));
    assert.deepEqual(imports, [{ module: 'env', name: 'memory', kind: 'memory' }]);
  });
}
