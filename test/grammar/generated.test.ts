// The committed grammar must be exactly what the generator makes from the current schema, so a key or enum
// word added to core/experiment/schema.ts cannot be left unhighlighted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { experimentSchema } from '../../core/experiment/schema';
import type { ObjectNode } from '../../core/experiment/schemaNodes';
import { GRAMMAR_PATH, renderGrammar } from '../../syntaxes/generate-grammar';

test('syntaxes/radlab-experiment.tmLanguage.json is the generator output for the current schema', () => {
  assert.equal(
    readFileSync(GRAMMAR_PATH, 'utf8'),
    renderGrammar(experimentSchema),
    'the grammar is stale: run `node --import tsx syntaxes/generate-grammar.ts`',
  );
});

test('a schema change changes the generated grammar (the comparison above can fail)', () => {
  const data = experimentSchema.fields.data.node as ObjectNode;
  const changed: ObjectNode = {
    kind: 'object',
    fields: {
      ...experimentSchema.fields,
      data: {
        ...experimentSchema.fields.data,
        node: {
          kind: 'object',
          fields: { ...data.fields, spacing_mm: { node: { kind: 'number' }, description: 'x' } },
        },
      },
    },
  };
  const grammar = renderGrammar(changed);
  assert.notEqual(grammar, renderGrammar(experimentSchema));
  assert.match(grammar, /spacing_mm/);
});
