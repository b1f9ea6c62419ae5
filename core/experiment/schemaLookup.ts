import { experimentSchema } from './schema';
import { childField, type FieldSpec, type MapNode, type SchemaNode } from './schemaNodes';

function mapOption(node: SchemaNode): MapNode | undefined {
  if (node.kind === 'map') return node;
  if (node.kind === 'oneOf') return node.options.find((o): o is MapNode => o.kind === 'map');
  return undefined;
}

/** The field a key path names (`['train', 'optimizer', 'lr']`), or undefined when the path leaves the schema. */
export function fieldForPath(path: readonly string[]): FieldSpec | undefined {
  let node: SchemaNode = experimentSchema;
  let field: FieldSpec | undefined;
  for (const key of path) {
    field = childField(node, key);
    if (!field) {
      // A mapping keyed by an enum (weights per backbone) has no fields of its own: step into its values.
      const map = mapOption(node);
      if (map && map.keys.values.includes(key)) {
        field = { node: map.values, description: `Weights file for ${key}.` };
      } else {
        return undefined;
      }
    }
    node = field.node;
  }
  return field;
}

/** The schema node at a key path; the empty path is the whole experiment. */
export function nodeForPath(path: readonly string[]): SchemaNode | undefined {
  return path.length === 0 ? experimentSchema : fieldForPath(path)?.node;
}
