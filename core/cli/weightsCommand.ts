// `radlab weights <backbone> <file> --out <dir>`: converts a pretrained checkpoint (torch.save .pth/.bin, or
// .safetensors, in torchvision or Hugging Face naming) to RadLab's format: a .safetensors of exactly the backbone's
// entries under its names (PyTorch layout), and a JSON key report beside it. Prints the key report.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processOutput, type CommandOutput } from './modelCommand';
import { defineBackbone } from '../models/build';
import type { Backbone } from '../models/module';
import type { BackboneFamily } from '../models/registry';
import { writeSafetensors, type TensorToWrite } from '../models/safetensors';
import { formatKeyReport, isCompleteLoad, type KeyReport } from '../models/weights/keyReport';
import { familyOf, planBackboneLoad, readStateDict, WeightLoadError } from '../models/weights/loadWeights';
import { parseCommandArgs } from './commandArgs';

const USAGE = 'usage: radlab weights <backbone> <file.pth|file.bin|file.safetensors> --out <dir> [--non-strict]\n';

export interface ConvertedWeights {
  report: KeyReport;
  weightsFile: string;
  reportFile: string;
}

/**
 * Writes `<out>/<name>.safetensors` and `<out>/<name>.weights.json`. Strict: refuses (writing nothing) unless the
 * checkpoint fills every entry and holds nothing unexplained; non-strict: writes the entries that loaded.
 */
export async function convertWeights(
  backbone: Backbone,
  family: BackboneFamily,
  file: string,
  out: string,
  options: { strict: boolean },
): Promise<ConvertedWeights> {
  const plan = planBackboneLoad(await readStateDict(file), backbone, family);
  if (options.strict && !isCompleteLoad(plan.report)) {
    throw new WeightLoadError(plan.report);
  }
  const tensors: TensorToWrite[] = [];
  for (const entry of backbone.state.entries) {
    const values = plan.values.get(entry.name);
    if (values === undefined) continue;
    const int64 = entry.kind === 'buffer' && entry.dtype === 'int64';
    tensors.push({
      name: entry.name,
      dtype: int64 ? 'I64' : 'F32',
      shape: entry.torchShape,
      data: int64 ? Int32Array.from(values) : values,
    });
  }
  await mkdir(out, { recursive: true });
  const weightsFile = join(out, `${backbone.name}.safetensors`);
  const reportFile = join(out, `${backbone.name}.weights.json`);
  await writeSafetensors(weightsFile, tensors, { format: 'radlab-backbone/1', backbone: backbone.name, source: file });
  await writeFile(reportFile, `${JSON.stringify({ backbone: backbone.name, ...plan.report }, null, 2)}\n`);
  return { report: plan.report, weightsFile, reportFile };
}

export async function run(args: string[], output: CommandOutput = processOutput): Promise<number> {
  const parsed = parseCommandArgs(
    'weights',
    USAGE,
    args,
    {
      out: { type: 'string' },
      'non-strict': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    (text) => output.err(text),
  );
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(USAGE);
    return 0;
  }
  if (positionals.length !== 2 || !values.out) {
    output.err(`radlab weights: a backbone, a weights file and --out are required\n${USAGE}`);
    return 2;
  }
  const [name, file] = positionals as [string, string];
  try {
    const backbone = defineBackbone(name);
    const converted = await convertWeights(backbone, familyOf(backbone), file, values.out, {
      strict: !values['non-strict'],
    });
    output.out(formatKeyReport(converted.report));
    output.out(`wrote ${converted.weightsFile} and ${converted.reportFile}\n`);
    return 0;
  } catch (error) {
    output.err(`radlab weights: ${(error as Error).message}\n`);
    return 1;
  }
}
