// Small DOM builders for the panels: an element with attributes and children in one call, and the toolkit's
// data grid filled from rows of text.
type Child = Node | string | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes?: Record<string, string>,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attributes?: Record<string, string>, ...children: Child[]): HTMLElement;
export function h(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no element #${id}`);
  return element as T;
}

/** Replaces a vscode-data-grid's rows: the first row is the header. */
export function fillGrid(grid: HTMLElement, header: string[], rows: string[][]): void {
  grid.replaceChildren(
    h(
      'vscode-data-grid-row',
      { 'row-type': 'header' },
      ...header.map((text, i) =>
        h('vscode-data-grid-cell', { 'cell-type': 'columnheader', 'grid-column': String(i + 1) }, text),
      ),
    ),
    ...rows.map((row) =>
      h(
        'vscode-data-grid-row',
        {},
        ...row.map((text, i) => h('vscode-data-grid-cell', { 'grid-column': String(i + 1) }, text)),
      ),
    ),
  );
}

export function formatNumber(value: number | null, digits = 3): string {
  return value === null ? '—' : value.toFixed(digits);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  const parts = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return parts[0]! > 0 ? `${parts[0]}h ${parts[1]}m` : parts[1]! > 0 ? `${parts[1]}m ${parts[2]}s` : `${parts[2]}s`;
}
