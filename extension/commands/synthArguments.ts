// The inputs of "Generate Synthetic Dataset", checked before `radlab synth` runs. No `vscode` import.

/** The generator accepts 1..100,000 studies (core/data/synthetic/dataset.ts). */
export const MAX_SYNTHETIC_STUDIES = 100_000;

/** Why `text` is not a number of studies, or undefined when it is. */
export function studiesProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return 'Enter a whole number of studies, e.g. 40.';
  const studies = Number(trimmed);
  if (studies < 1 || studies > MAX_SYNTHETIC_STUDIES)
    return `Enter between 1 and ${MAX_SYNTHETIC_STUDIES.toLocaleString('en-US')} studies.`;
  return undefined;
}

export function synthArguments(outFolder: string, studiesText: string): string[] {
  return ['synth', '--out', outFolder, '--studies', String(Number(studiesText.trim()))];
}
