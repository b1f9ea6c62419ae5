// The `radlab` command. Each subcommand's adapter lives in core/cli/ and is loaded only when called, so `radlab validate` never pays for loading DICOM codecs or training engines.
import process, { argv, exit, stderr, stdout } from 'node:process';

interface Subcommand {
  summary: string;
  usage: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const subcommands: Record<string, Subcommand> = {
  run: {
    summary: 'Train and test an experiment (one run per backbone), or resume an interrupted run',
    usage:
      'radlab run <file.experiment.yaml> [--events-stdout] [--member <index> --run-id <run id>] | radlab run --resume <run dir>',
    load: () => import('./cli/runCommand'),
  },
  submit: {
    summary: 'Submit an experiment to a Slurm cluster: a job array with one task per backbone, then the sweep summary',
    usage:
      'radlab submit <file.experiment.yaml> [--partition P] [--account A] [--gpus N] [--cpus N] [--memory 32G] [--time 12:00:00] [--sbatch OPTION]... [--setup LINE]... [--command-prefix CMD] [--json]',
    load: () => import('./cli/submitCommand'),
  },
  status: {
    summary: "Show a Slurm submission's tasks (squeue/sacct) beside their runs' status",
    usage: 'radlab status <experiment folder | run folder | job id> [--run-id <run id>] [--json]',
    load: () => import('./cli/statusCommand'),
  },
  cancel: {
    summary: 'Cancel a Slurm submission, one of its runs, or a job (scancel)',
    usage: 'radlab cancel <experiment folder | run folder | job id> [--run-id <run id>]',
    load: () => import('./cli/cancelCommand'),
  },
  summarize: {
    summary: "Write a sweep's model_performance_summary.csv from its run folders",
    usage: 'radlab summarize <experiment folder> [--run-id <run id>]',
    load: () => import('./cli/summarizeCommand'),
  },
  validate: {
    summary: 'Check an experiment file and print its diagnostics',
    usage: 'radlab validate <file.experiment.yaml> [--json]',
    load: () => import('./cli/validateCommand'),
  },
  dicom: {
    summary: 'Show what a DICOM file holds; optionally write a windowed PNG preview',
    usage: 'radlab dicom <file> [--json] [--png out.png] [--window center,width|auto] [--frame n]',
    load: () => import('./cli/dicomCommand'),
  },
  synth: {
    summary: 'Write a synthetic RSNA LSDC dataset (phantom lumbar spines)',
    usage:
      'radlab synth --out <dir> --studies <N> [--seed <S>] [--messy all|<case,...>] [--messy-rate <0-1>] [--test-studies <M>]',
    load: () => import('./cli/synthCommand'),
  },
  model: {
    summary: "Show a backbone's facts (parameters, input size, feature width, GFLOPs)",
    usage: 'radlab model <backbone> [--json] | radlab model --list [--json]',
    load: () => import('./cli/modelCommand'),
  },
  dataset: {
    summary: 'Summarise a dataset: studies, series, samples per level and grade, skipped items, split counts',
    usage: 'radlab dataset <dataset-root | file.experiment.yaml> [--condition <condition>] [--json]',
    load: () => import('./cli/datasetCommand'),
  },
  weights: {
    summary: 'Convert a pretrained checkpoint (.pth/.bin/.safetensors) to RadLab names and print its key report',
    usage: 'radlab weights <backbone> <file> --out <dir> [--non-strict]',
    load: () => import('./cli/weightsCommand'),
  },
  features: {
    summary: 'Run a backbone with pretrained weights on an input tensor and write its features (parity check)',
    usage:
      'radlab features <backbone> --weights <file> --input <in.safetensors> --out <out.safetensors> [--engine auto|wasm|...] [--threads N] [--non-strict]',
    load: () => import('./cli/featuresCommand'),
  },
  engine: {
    summary: 'Show which training engine runs here (GPU/CPU ladder, device, threads), or install a native engine',
    usage:
      'radlab engine [--engine auto|tfjs-node-gpu|tfjs-node|webgpu|wasm] [--threads N] [--json] | radlab engine install tfjs-node-gpu|tfjs-node [--libtensorflow <archive.tar.gz>] [--dir <engines folder>]',
    load: () => import('./cli/engineCommand'),
  },
  predict: {
    summary: 'Grade studies that have only images with trained localizer and grading runs; write submission.csv',
    usage:
      'radlab predict <run folder>... <images root> [--series-descriptions <csv>] [--out <submission.csv>] [--labels <train.csv>] [--test-of <run folder>] [--positions <file.json>] [--study <id>] [--threads <N>]',
    load: () => import('./cli/predictCommand'),
  },
  explain: {
    summary: "Show where in the crop a grading run's test prediction found its evidence (Grad-CAM, attention rollout)",
    usage:
      'radlab explain <run folder> <row_id> [--grade <0-2 | Normal/Mild | Moderate | Severe>] [--png <out.png>] [--json <out.json>] [--opacity <0-1>]',
    load: () => import('./cli/explainCommand'),
  },
  docs: {
    summary: 'Print the experiment file reference, or update it in a README',
    usage: 'radlab docs [--write README.md]',
    load: () => import('./cli/docsCommand'),
  },
};

function printHelp(out: NodeJS.WriteStream): void {
  out.write('RadLab: radiology model experiments\n\nUsage: radlab <command> [options]\n\nCommands:\n');
  for (const [name, command] of Object.entries(subcommands)) {
    out.write(`  ${name.padEnd(10)} ${command.summary}\n             ${command.usage}\n`);
  }
}

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp(stdout);
    return name === undefined ? 2 : 0;
  }
  const command = subcommands[name];
  if (command === undefined) {
    stderr.write(`radlab: unknown command '${name}'. Run 'radlab --help' for the list of commands.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  const module = await command.load();
  return module.run(rest);
}

main(argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    // Errors that reach here name their file or setting in the message; the stack is for developers only.
    const message = error instanceof Error ? error.message : String(error);
    const stack = process.env.RADLAB_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
    stderr.write(`radlab ${argv[2] ?? ''}: ${message}${stack}\n`);
    exit(1);
  },
);
