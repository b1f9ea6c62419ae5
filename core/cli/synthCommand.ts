// `radlab synth --out <dir> --studies N [--seed S] [--messy cases] [--test-studies M]`: writes a synthetic RSNA
// LSDC dataset (phantom lumbar spines whose narrowing encodes each level's grade) for trying experiments without
// the competition data; clean unless irregularities of the real data are asked for.
import { parseArgs } from 'node:util';
import { stderr, stdout } from 'node:process';
import { ensureSyntheticDataset, MARKER_FILE } from '../data/synthetic/dataset';
import { CONDITIONS } from '../data/lsdcVocabulary';
import { DEFAULT_MESSY_RATE, MESSY_CASES, parseMessyCases, type MessyOptions } from '../data/synthetic/messy';

export { ensureSyntheticDataset } from '../data/synthetic/dataset';

export const USAGE =
  'radlab synth --out <dir> --studies <N> [--seed <S>] [--messy all|<case,...>] [--messy-rate <0-1>] [--test-studies <M>]';
const DEFAULT_SEED = 42;

export async function run(args: string[]): Promise<number> {
  let values: {
    out?: string;
    studies?: string;
    seed?: string;
    messy?: string;
    'messy-rate'?: string;
    'test-studies'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        studies: { type: 'string' },
        seed: { type: 'string' },
        messy: { type: 'string' },
        'messy-rate': { type: 'string' },
        'test-studies': { type: 'string' },
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
      `Usage: ${USAGE}\nWrites a synthetic dataset in the RSNA 2024 LSDC layout (default seed ${DEFAULT_SEED}).\n` +
        `--messy adds irregularities of the real data to a share of the studies (--messy-rate, default ${DEFAULT_MESSY_RATE}; ` +
        'each case reaches at least one study):\n' +
        Object.entries(MESSY_CASES)
          .map(([name, description]) => `  ${name.padEnd(20)}${description}\n`)
          .join('') +
        '--test-studies writes further unlabelled studies as test_images/ and test_series_descriptions.csv.\n',
    );
    return 0;
  }
  if (values.out === undefined || values.studies === undefined) {
    stderr.write(`radlab synth: --out and --studies are required.\nUsage: ${USAGE}\n`);
    return 2;
  }
  const studies = wholeNumber(values.studies);
  const seed = values.seed === undefined ? DEFAULT_SEED : wholeNumber(values.seed);
  const testStudies = values['test-studies'] === undefined ? 0 : wholeNumber(values['test-studies']);
  if (studies === undefined || seed === undefined || testStudies === undefined) {
    stderr.write(
      `radlab synth: --studies, --seed and --test-studies take whole numbers (got '${values.studies}', ` +
        `'${values.seed ?? DEFAULT_SEED}', '${values['test-studies'] ?? 0}').\n`,
    );
    return 2;
  }
  let messy: MessyOptions | undefined;
  try {
    messy = messyOptions(values.messy, values['messy-rate']);
  } catch (error) {
    stderr.write(`radlab synth: ${(error as Error).message}\n`);
    return 2;
  }

  let result;
  try {
    result = await ensureSyntheticDataset(values.out, { studies, seed, messy, test_studies: testStudies });
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
  if (summary.testStudies !== undefined) {
    stdout.write(`  held-out studies ${summary.testStudies} in test_images/ (test_series_descriptions.csv)\n`);
  }
  for (const [name, studyIds] of Object.entries(summary.messy ?? {})) {
    const shown = studyIds.slice(0, 5).join(', ') + (studyIds.length > 5 ? ', ...' : '');
    stdout.write(`  ${name}: ${studyIds.length} studies (${shown})\n`);
  }
  return 0;
}

/** The irregularities asked for, or undefined for a clean dataset; throws on an unknown case or a bad rate. */
function messyOptions(cases: string | undefined, rate: string | undefined): MessyOptions | undefined {
  if (cases === undefined) {
    if (rate !== undefined) throw new Error('--messy-rate needs --messy');
    return undefined;
  }
  const value = rate === undefined ? DEFAULT_MESSY_RATE : Number(rate);
  if (rate !== undefined && (rate.trim() === '' || !Number.isFinite(value))) {
    throw new Error(`--messy-rate takes a number above 0 and at most 1, got '${rate}'`);
  }
  return { cases: parseMessyCases(cases), rate: value };
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
