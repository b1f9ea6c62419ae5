// dciodvfy (dicom3tools), the strict DICOM validator the synthetic files are checked against.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const DCIODVFY = '/usr/bin/dciodvfy';

export const hasDciodvfy = (): boolean => existsSync(DCIODVFY);

/** `file: Error ...; Warning ...` for each file dciodvfy reports an error or warning in. */
export function dciodvfyProblems(files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const result = spawnSync(DCIODVFY, [file], { encoding: 'utf8' });
    const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /^(Error|Warning)/.test(line));
    if (lines.length > 0) problems.push(`${file}: ${lines.join('; ')}`);
  }
  return problems;
}
