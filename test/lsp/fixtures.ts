// Paths and URIs of the LSP fixture files (test/fixtures/lsp). Documents are opened under their real paths so
// the relative paths inside them (datasets/...) resolve to the fixture folders.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileUri } from './lspClient';

export const fixtureFolder = resolve(__dirname, '../fixtures/lsp');

export function fixture(name: string): { path: string; uri: string; text: string } {
  const path = resolve(fixtureFolder, name);
  return { path, uri: fileUri(path), text: readFileSync(path, 'utf8') };
}

/** A document URI in the fixture folder for text that exists only in the editor. */
export function unsavedFixtureUri(name: string): string {
  return fileUri(resolve(fixtureFolder, name));
}

export function range(line: number, start: number, endLine: number, end: number) {
  return { start: { line, character: start }, end: { line: endLine, character: end } };
}
