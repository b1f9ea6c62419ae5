// `radlab synth --out <dir> --studies N [--seed S]`: writes a synthetic RSNA LSDC dataset (phantom lumbar
// spines whose narrowing encodes each level's grade) for trying experiments without the competition data.
import { parseArgs } from 'node:util';
import { stderr, stdout } from 'node:process';
import { ensureSyntheticDataset, MARKER_FILE } from '../data/synthetic/dataset';
import { CONDITIONS } from '../data/lsdcVocabulary';

export { ensureSyntheticDataset } from '../data/synthetic/dataset';

export const USAGE = 'radlab synth --out <dir> --studies <N> [--seed <S>]';
const DEFAULT_SEED = 42;

export async function run(args: string[]): Promise<number> {
  let values: { out?: string; studies?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        studies: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    stderr.write(`radlab synth: ${(error as Error).message}\nUsage: ${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    stdout.write(
      `Usage: ${USAGE}\nWrites a synthetic dataset in the RSNA 2024 LSDC layout (default seed ${DEFAULT_SEED}).\n`,
    );
    return 0;
  }
  if (values.out === undefined || values.studies === undefined) {
    stderr.write(`radlab synth: --out and --studies are required.\nUsage: ${USAGE}\n`);
    return 2;
  }
  const studies = wholeNumber(values.studies);
  const seed = values.seed === undefined ? DEFAULT_SEED : wholeNumber(values.seed);
  if (studies === undefined || seed === undefined) {
    stderr.write(
      `radlab synth: --studies and --seed take whole numbers (got '${values.studies}', '${values.seed ?? DEFAULT_SEED}').\n`,
    );
    return 2;
  }

  let result;
  try {
    result = await ensureSyntheticDataset(values.out, { studies, seed });
  } catch (error) {
    stderr.write(`radlab synth: ${(error as Error).message}\n`);
    return 1;
  }
  const { summary } = result;
  stdout.write(
    result.generated
      ? `Wrote a synthetic dataset to ${values.out} in ${result.seconds.toFixed(1)} s (seed ${seed}).\n`
      : `${values.out} already holds the synthetic dataset for ${studies} studies, seed ${seed} (see ${MARKER_FILE}); nothing to do.\n`,
  );
  stdout.write(
    `  studies ${summary.studies}, series ${summary.series}, DICOM files ${summary.files}, ` +
      `${(summary.bytes / 1e6).toFixed(1)} MB of images\n  grades (Normal/Mild, Moderate, Severe, missing):\n`,
  );
  for (const condition of CONDITIONS) {
    const counts = summary.gradeCounts[condition];
    stdout.write(
      `    ${condition.padEnd(34)} ${[counts['Normal/Mild'], counts.Moderate, counts.Severe, counts.missing]
        .map((count) => String(count).padStart(5))
        .join(' ')}\n`,
    );
  }
  return 0;
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
