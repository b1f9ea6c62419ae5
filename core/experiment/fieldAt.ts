import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { keyName, nodeRange, type ParsedExperiment } from './parse';
import type { Range } from './positions';

export interface FieldValue {
  present: boolean;
  /** The plain JavaScript value (scalars, lists, mappings). */
  value: unknown;
  /** The value's range, or the key's when the value is empty. */
  range?: Range;
  keyRange?: Range;
}

/** Looks a dotted field up in the document, tolerating any shape on the way (the document may be invalid). */
export function fieldAt(parsed: ParsedExperiment, path: readonly string[]): FieldValue {
  let node: unknown = parsed.document?.contents;
  let pair: Pair | undefined;
  for (const key of path) {
    if (!isMap(node)) return { present: false, value: undefined };
    pair = (node.items as Pair[]).find((item) => keyName(item) === key);
    if (!pair) return { present: false, value: undefined };
    node = pair.value;
  }
  const keyRange = pair ? nodeRange(parsed, pair) : undefined;
  const valueNode = node as Node | null;
  const valueRange = valueNode ? nodeRange(parsed, valueNode) : undefined;
  const emptyValue =
    !valueRange ||
    (valueRange.start.line === valueRange.end.line && valueRange.start.character === valueRange.end.character);
  const value =
    valueNode === null || valueNode === undefined
      ? null
      : isScalar(valueNode)
        ? valueNode.value
        : (valueNode as Node).toJSON();
  return { present: true, value, range: emptyValue ? keyRange : valueRange, keyRange };
}
