// The 2,000-line experiment the language-server benchmark (bench/lsp/latency.ts) edits, shared with the tests
// that must hold on it (test/experiment/incrementalParse.test.ts).

/** The template with model.head.hidden grown into a block list long enough for ~2,000 lines: still valid,
 * and every line a YAML node the parser, the validator and the completion's line scan must go through. The layers
 * are narrow (16 to 128) so the head's ~1,900 layers still fit the engine's memory, which validation checks. */
export function twoThousandLines(template: string): string {
  const templateLines = template.trimEnd().split('\n');
  const hiddenLayers = 2000 - templateLines.length;
  const out: string[] = [];
  for (const line of templateLines) {
    const hidden = /^(\s*)hidden: \[.*\]$/.exec(line);
    if (!hidden) {
      out.push(line);
      continue;
    }
    out.push(`${hidden[1]}hidden:`);
    for (let i = 0; i < hiddenLayers; i++) out.push(`${hidden[1]}  - ${16 + (i % 8) * 16}`);
  }
  if (out.length < 1990) throw new Error('the template changed shape: no "hidden: [...]" line to grow');
  return `${out.join('\n')}\n`;
}
