// Offsets in a parsed Document move when text before them changes length (incrementalParse.ts, scalarEdit.ts).
import { isCollection, isPair, type Document, type Node } from 'yaml';

function shiftedOffset(offset: number, threshold: number, delta: number): number {
  return offset >= threshold ? offset + delta : offset;
}

/** Moves every offset at or after `threshold` by `delta`: node ranges, errors and warnings. */
export function shiftOffsets(document: Document.Parsed, threshold: number, delta: number): void {
  const shiftRange = (range: [number, number, number]): [number, number, number] => [
    shiftedOffset(range[0], threshold, delta),
    shiftedOffset(range[1], threshold, delta),
    shiftedOffset(range[2], threshold, delta),
  ];
  const shiftNode = (node: unknown): void => {
    if (isPair(node)) {
      shiftNode(node.key);
      shiftNode(node.value);
      return;
    }
    const range = (node as Node | null)?.range;
    if (range) (node as Node).range = shiftRange(range);
    if (isCollection(node)) for (const item of node.items) shiftNode(item);
  };
  document.range = shiftRange(document.range);
  shiftNode(document.contents);
  for (const problem of [...document.errors, ...document.warnings]) {
    problem.pos = [shiftedOffset(problem.pos[0], threshold, delta), shiftedOffset(problem.pos[1], threshold, delta)];
  }
}
