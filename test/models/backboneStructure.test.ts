// Every registry backbone declares exactly the reference PyTorch model's state: the same parameter names, shapes
// and order (test/fixtures/models/parity/torch_parameter_names.json, dumped from torchvision and the registry
// generator's BEiT by make_parity.py), the same buffers, and the registry's parameter and tensor counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKBONE_NAMES, backboneFacts } from '../../core/models/registry';
import { defineBackbone } from '../../core/models/build';

interface TorchNames {
  params: [string, number[]][];
  buffers: [string, number[], string][];
}

const reference = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/models/parity/torch_parameter_names.json'), 'utf8'),
) as Record<string, TorchNames>;

for (const name of BACKBONE_NAMES) {
  test(`${name} declares the reference parameters in the reference order`, () => {
    const backbone = defineBackbone(name);
    const expected = reference[name]!;
    const actual = backbone.state.parameters.map((p) => [p.name, [...p.torchShape]]);
    assert.equal(actual.length, expected.params.length);
    actual.forEach((entry, index) => assert.deepEqual(entry, expected.params[index], `parameter #${index}`));
    const buffers = backbone.state.buffers.map((b) => [b.name, [...b.torchShape], b.dtype]);
    assert.deepEqual(buffers, expected.buffers);
  });

  test(`${name} has the registry's parameter and tensor counts`, () => {
    const backbone = defineBackbone(name);
    const facts = backboneFacts(name);
    assert.equal(backbone.state.parameterCount, facts.params);
    assert.equal(backbone.parameters.length, facts.paramTensors);
    assert.equal(backbone.featureWidth, facts.featureWidth);
  });
}

test('an unknown backbone name is refused with a suggestion', () => {
  assert.throws(
    () => defineBackbone('convnext_bas'),
    /unknown backbone 'convnext_bas' \(did you mean 'convnext_base'\?\)/,
  );
});
