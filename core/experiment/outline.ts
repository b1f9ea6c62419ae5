// The outline (document symbols) of an experiment: its sections and fields as a tree.
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { keyName, nodeRange, pairRange, wholeTextParser, type ExperimentParser, type ParsedExperiment } from './parse';
import type { OutlineSymbol } from './positions';

function detailOf(node: Node | null): string {
  if (node === null || node === undefined) return '';
  if (isScalar(node)) return node.value === null || node.value === undefined ? '' : String(node.value);
  if (isSeq(node)) {
    const items = node.items.map((item) => (isScalar(item) ? String(item.value) : '…'));
    const shown = items.slice(0, 5).join(', ');
    return items.length > 5 ? `${shown}, … (${items.length})` : shown;
  }
  return '';
}

function symbolsOf(parsed: ParsedExperiment, node: unknown, depth: number): OutlineSymbol[] {
  if (!isMap(node)) return [];
  return (node.items as Pair[]).flatMap((pair): OutlineSymbol[] => {
    const name = keyName(pair);
    const range = pairRange(parsed, pair);
    const selectionRange = nodeRange(parsed, pair);
    if (name === undefined || !range || !selectionRange) return [];
    const value = pair.value as Node | null;
    return [
      {
        name,
        detail: detailOf(value),
        kind: isMap(value) && depth === 0 ? 'section' : isSeq(value) ? 'list' : 'field',
        range,
        selectionRange,
        children: symbolsOf(parsed, value, depth + 1),
      },
    ];
  });
}

export function outlineExperiment(text: string, parser: ExperimentParser = wholeTextParser): OutlineSymbol[] {
  const parsed = parser.parse(text);
  return symbolsOf(parsed, parsed.document?.contents, 0);
}
