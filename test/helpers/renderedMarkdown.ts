// What a reader sees of a Markdown string: rendered by markdown-it (the CommonMark renderer vsce uses) with raw HTML
// honoured, as a Markdown view that accepts tags would, then reduced to its visible text. Text that a renderer
// would take for a tag or for emphasis markers is missing from the result.
import { createRequire } from 'node:module';

interface MarkdownRenderer {
  render(markdown: string): string;
}
type MarkdownItConstructor = new (options: { html: boolean }) => MarkdownRenderer;

const MarkdownIt = createRequire(__filename)('markdown-it') as MarkdownItConstructor;
const renderer = new MarkdownIt({ html: true });

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" };

export function visibleText(markdown: string): string {
  return renderer
    .render(markdown)
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity]!)
    .trim();
}

/** The HTML the renderer makes, for checking which parts became bold. */
export function renderedHtml(markdown: string): string {
  return renderer.render(markdown);
}
