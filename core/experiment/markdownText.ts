// Plain text placed inside Markdown (hover cards): every character CommonMark could read as markup is
// backslash-escaped, so "<output>/<name>/" stays visible instead of being dropped as an HTML tag. An underscore
// inside a word (unfreeze_last_n) never starts emphasis and parentheses only matter after a ']', so those stay as
// they are and the Markdown remains readable as text.

const MARKUP = /[\\`*<>[\]&|~]|(?<!\w)_|_(?!\w)/g;

export function markdownText(plain: string): string {
  return plain.replace(MARKUP, (character) => `\\${character}`);
}
