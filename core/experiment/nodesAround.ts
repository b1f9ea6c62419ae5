// The nodes of a parsed Document whose text holds a span, for the in-place updates of a section (scalarEdit.ts,
// sequenceEdit.ts), which must find what an edit falls inside without walking the rest of the tree.
import { visit, type Document, type Node } from 'yaml';

export interface NodeAround {
  node: Node;
  /** Whether the node is a mapping key (an edit there can change which keys collide). */
  isKey: boolean;
}

/** The nodes whose value text (range[0] .. range[1]) holds [from, to], outermost first. */
export function nodesAround(document: Document.Parsed, from: number, to: number): NodeAround[] {
  const chain: NodeAround[] = [];
  visit(document, {
    Node(key, node) {
      const range = node.range;
      if (!range || range[0] > from || to > range[1]) return visit.SKIP;
      chain.push({ node, isKey: key === 'key' });
      return undefined;
    },
  });
  return chain;
}
