// The experiment file's schema: every key, its type, default, range and meaning, defined once. The validator,
// the language server's completion and hover, the `New Experiment` template, the resolver's defaults and the
// README's reference table are all read from this object.
import { CONDITIONS, LEVELS, SERIES_DESCRIPTIONS } from '../data/lsdcVocabulary';
import { DEFAULT_MESSY_RATE, MESSY_CASE_NAMES, MESSY_CASES } from '../data/synthetic/messy';
import { BACKBONE_NAMES } from '../models/registry';
import type { EnumNode, FieldSpec, ObjectNode, SchemaNode, StringNode } from './schemaNodes';

export const ENGINES = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm'] as const;
export const EXECUTORS = ['local', 'slurm'] as const;

const backboneEnum: EnumNode = { kind: 'enum', values: BACKBONE_NAMES };
const fraction: SchemaNode = { kind: 'number', min: 0, max: 1 };
const seed: FieldSpec = {
  node: { kind: 'number', integer: true, min: 0, max: 2 ** 32 - 1 },
  description: 'Seed of the random number generator, so the same file gives the same result.',
  default: 42,
};

function object(fields: Record<string, FieldSpec>): ObjectNode {
  return { kind: 'object', fields };
}

const conditionDocs: Readonly<Record<string, string>> = {
  spinal_canal_stenosis: 'Central canal narrowing, graded on sagittal T2/STIR.',
  left_neural_foraminal_narrowing: 'Left foramen, graded on sagittal T1.',
  right_neural_foraminal_narrowing: 'Right foramen, graded on sagittal T1.',
  left_subarticular_stenosis: 'Left subarticular zone, graded on axial T2.',
  right_subarticular_stenosis: 'Right subarticular zone, graded on axial T2.',
};

const dataSection = object({
  root: {
    node: { kind: 'path', target: 'folder', mustExist: true },
    description:
      'Dataset folder in the RSNA LSDC layout (train.csv, train_label_coordinates.csv, train_series_descriptions.csv, train_images/), relative to this file.',
    required: true,
    example: '../data/rsna-2024-lsdc',
  },
  synthetic: {
    node: object({
      studies: {
        node: { kind: 'number', integer: true, min: 4, max: 5000 },
        description: 'Number of synthetic studies to generate.',
        default: 40,
      },
      seed: { ...seed, default: 7 },
      messy: {
        node: object({
          cases: {
            node: {
              kind: 'oneOf',
              options: [
                { kind: 'enum', values: ['all'], valueDocs: { all: 'Every irregularity below.' } },
                {
                  kind: 'list',
                  items: { kind: 'enum', values: MESSY_CASE_NAMES, valueDocs: MESSY_CASES },
                  minItems: 1,
                  unique: true,
                },
              ],
            },
            description: 'Which irregularities of the real data to reproduce: all, or a list of their names.',
            default: 'all',
          },
          rate: {
            node: { kind: 'number', min: 0, max: 1, exclusiveMin: true },
            description: 'Share of studies each irregularity reaches; every requested one reaches at least one study.',
            default: DEFAULT_MESSY_RATE,
          },
        }),
        description:
          'Make the dataset as messy as the RSNA data (several or missing series, levels without points, irregular instance numbers and geometry, unlabelled studies); radlab dataset lists how each is handled.',
        enables: true,
      },
      test_studies: {
        node: { kind: 'number', integer: true, min: 0, max: 5000 },
        description:
          'Further unlabelled studies written as test_images/ and test_series_descriptions.csv, the layout of the competition test set.',
        default: 0,
      },
    }),
    description: 'Generate a synthetic dataset in the RSNA layout at data.root when that folder does not exist yet.',
    enables: true,
  },
  condition: {
    node: {
      kind: 'oneOf',
      options: [
        {
          kind: 'enum',
          values: [...CONDITIONS, 'all'],
          valueDocs: { ...conditionDocs, all: 'Every condition: one run per condition, scored together.' },
        },
        {
          kind: 'list',
          items: { kind: 'enum', values: CONDITIONS, valueDocs: conditionDocs },
          minItems: 1,
          unique: true,
        },
      ],
    },
    description:
      'The RSNA condition to grade (Normal/Mild, Moderate, Severe) at each level; a list or all is one run per condition (each its own model, on the same split), and with all five the test results include the competition score.',
    required: true,
    example: 'spinal_canal_stenosis',
  },
  levels: {
    node: { kind: 'list', items: { kind: 'enum', values: LEVELS }, minItems: 1, unique: true },
    description: 'Lumbar intervertebral levels to include; one sample per study and level.',
    default: [...LEVELS],
  },
  series: {
    node: { kind: 'enum', values: ['auto', ...SERIES_DESCRIPTIONS] },
    description: 'Series type the images come from; auto uses the one the condition is labelled on.',
    default: 'auto',
  },
  input: {
    node: object({
      mode: {
        node: {
          kind: 'enum',
          values: ['crop', 'slice'],
          valueDocs: {
            crop: 'A square of crop_mm millimetres centred on the labelled level.',
            slice: 'The whole labelled slice.',
          },
        },
        description: 'What the model sees: a crop around the level, or the whole slice.',
        default: 'crop',
      },
      crop_mm: {
        node: { kind: 'number', min: 5, max: 400 },
        description: 'Side of the square crop in millimetres (uses the slice PixelSpacing).',
        default: 60,
      },
      slices: {
        node: { kind: 'number', integer: true, min: 1, max: 15 },
        description: 'Adjacent slices stacked as channels (2.5D); 1 repeats the grey slice into 3 channels.',
        default: 1,
      },
      size: {
        node: { kind: 'number', integer: true, min: 32, max: 1024 },
        description: 'Side in pixels of the square image given to the backbone.',
        default: 224,
      },
      window: {
        node: {
          kind: 'oneOf',
          options: [
            {
              kind: 'enum',
              values: ['auto', 'tags'],
              valueDocs: {
                auto: 'From the 0.5 and 99.5 percentiles of each slice.',
                tags: 'From the DICOM WindowCenter/WindowWidth tags.',
              },
            },
            object({
              center: { node: { kind: 'number' }, description: 'Window centre in modality units.', required: true },
              width: {
                node: { kind: 'number', min: 1 },
                description: 'Window width in modality units.',
                required: true,
              },
            }),
          ],
        },
        description: 'Intensity window mapping MR values to 8 bits.',
        default: 'auto',
      },
    }),
    description: 'How each sample becomes an image.',
  },
  split: {
    node: object({
      train: { node: fraction, description: 'Fraction of studies for training.', default: 0.65 },
      val: { node: fraction, description: 'Fraction of studies for validation (model selection).', default: 0.15 },
      test: { node: fraction, description: 'Fraction of studies held out for the final test.', default: 0.2 },
      stratify: {
        node: { kind: 'boolean' },
        description: "Keep each split's grade mix alike (by each study's worst grade over all conditions).",
        default: true,
      },
      seed,
      folds: {
        node: { kind: 'number', integer: true, min: 1, max: 20 },
        description:
          'k-fold cross-validation when 2 or more: the studies are dealt into k stratified folds, each fold is the test set of one run, and validation studies come from the other folds in the val : train proportion (test is then 1/k).',
        default: 1,
      },
      fold: {
        node: {
          kind: 'oneOf',
          options: [
            { kind: 'number', integer: true, min: 0, max: 19 },
            { kind: 'list', items: { kind: 'number', integer: true, min: 0, max: 19 }, minItems: 1, unique: true },
          ],
        },
        description:
          'The test fold(s) to run, from 0 to folds - 1; absent runs every fold (a sweep, summarised as mean ± std).',
      },
    }),
    description:
      'How studies are divided into train, validation and test: one split per dataset and seed, shared by every condition and backbone; the fractions must sum to 1.',
  },
});

const modelSection = object({
  task: {
    node: {
      kind: 'enum',
      values: ['classifier', 'localizer'],
      valueDocs: {
        classifier: "Grades each level (Normal/Mild, Moderate, Severe) from a crop at the level's coordinates.",
        localizer:
          "Stage 1: finds each level's slice and x, y on a series of the condition's type, trained from train_label_coordinates.csv (coordinate regression on the whole mid slice, refined on a small square around each level with model.refine; data.input.mode and crop_mm give the crop the evaluation measures against).",
      },
    },
    description: 'What the model learns: to grade levels, or to locate them for a grading model.',
    default: 'classifier',
  },
  backbones: {
    node: { kind: 'oneOf', options: [backboneEnum, { kind: 'list', items: backboneEnum, minItems: 1, unique: true }] },
    description: 'ImageNet backbone, or a list of them: a list is a sweep with one run per backbone.',
    aliases: ['backbone', 'model', 'models', 'architecture', 'arch'],
    required: true,
    example: ['resnet18'],
  },
  pretrained: {
    node: {
      kind: 'oneOf',
      options: [
        {
          kind: 'enum',
          values: ['imagenet', 'none'],
          valueDocs: {
            imagenet:
              "The backbone's official ImageNet weights (torchvision's, or Hugging Face's for BEiT), downloaded once into the weights cache.",
            none: 'Start from random weights (needs freeze_backbone: false).',
          },
        },
        { kind: 'path', target: 'file-or-folder', mustExist: true, extensions: ['.pth', '.safetensors'] },
        {
          kind: 'map',
          keys: backboneEnum,
          values: { kind: 'path', target: 'file', mustExist: true, extensions: ['.pth', '.safetensors'] },
        },
      ],
    },
    description:
      'ImageNet weights: imagenet (downloaded), a folder holding <backbone>.pth or <backbone>.safetensors, one file, a file per backbone, or none.',
    default: 'imagenet',
  },
  weights_cache: {
    node: { kind: 'path', target: 'folder', mustExist: false },
    description:
      'Folder that keeps downloaded ImageNet weights, relative to this file; empty uses RADLAB_WEIGHTS_CACHE, else ~/.cache/radlab/weights.',
    default: '',
  },
  level_embedding: {
    node: { kind: 'number', integer: true, min: 1, max: 4096 },
    description: 'Width of the learned level embedding concatenated to the backbone features.',
    default: 256,
  },
  head: {
    node: object({
      hidden: {
        node: { kind: 'list', items: { kind: 'number', integer: true, min: 1, max: 16384 }, minItems: 1 },
        description: 'Hidden layer widths of the MLP head, each followed by LayerNorm, GELU and Dropout.',
        default: [512, 256],
      },
      dropout: {
        node: { kind: 'number', min: 0, max: 1, exclusiveMax: true },
        description: 'Dropout probability after each hidden layer.',
        default: 0.1,
      },
    }),
    description: 'The classification head on [features, level embedding], ending in the 3 grades.',
  },
  refine: {
    node: object({
      crop_mm: {
        node: { kind: 'number', min: 4, max: 500 },
        description: "Side in mm of the square cut around each level's coarse position.",
        default: 40,
      },
      size: {
        node: { kind: 'number', integer: true, min: 16, max: 1024 },
        description: 'Side in pixels the square is resized to for the network.',
        default: 32,
      },
      jitter_mm: {
        node: { kind: 'number', min: 0, max: 250 },
        description:
          "Largest offset in mm, along each axis, of a training square's centre from the marked point: about the coarse stage's largest error, which this stage learns to undo; keep it under half of crop_mm.",
        default: 10,
      },
      epochs: {
        node: { kind: 'number', integer: true, min: 1, max: 10000 },
        description:
          'Epochs of the refinement stage (each visits every marked level of every training series once); absent: train.epochs.',
      },
    }),
    description:
      "Localizer only: a second, coarse-to-fine stage (same backbone and head) that looks again at a small square of the slice around each level's coarse position, at several times the resolution, and regresses where in it the level is.",
    enables: true,
  },
  freeze_backbone: {
    node: { kind: 'boolean' },
    description: 'Freeze the backbone except its last unfreeze_last_n parameter tensors.',
    default: true,
  },
  unfreeze_last_n: {
    node: { kind: 'number', integer: true, min: 0 },
    description: "Backbone parameter tensors left trainable, counted from the end of the model's parameter order.",
    default: 32,
  },
});

const trainSection = object({
  optimizer: {
    node: object({
      name: {
        node: {
          kind: 'enum',
          values: ['adamw', 'sgd'],
          valueDocs: { adamw: 'Adam with decoupled weight decay.', sgd: 'SGD with momentum.' },
        },
        description: 'Optimizer.',
        default: 'adamw',
      },
      lr: {
        node: { kind: 'number', min: 0, max: 10, exclusiveMin: true },
        description: 'Peak learning rate.',
        aliases: ['learning_rate', 'lr0', 'learningrate'],
        default: 1.0e-4,
      },
      weight_decay: {
        node: { kind: 'number', min: 0, max: 1 },
        description: 'Decoupled weight decay (AdamW) or L2 penalty (SGD).',
        default: 0.02,
      },
      momentum: {
        node: { kind: 'number', min: 0, max: 1, exclusiveMax: true },
        description: 'Momentum for SGD (ignored by AdamW).',
        default: 0.9,
      },
    }),
    description: 'Optimizer and its settings.',
  },
  schedule: {
    node: object({
      name: {
        node: {
          kind: 'enum',
          values: ['constant', 'cosine'],
          valueDocs: { constant: 'The same rate every step.', cosine: 'Cosine decay to zero after the warm-up.' },
        },
        description: 'Learning-rate schedule.',
        default: 'constant',
      },
      warmup_epochs: {
        node: { kind: 'number', min: 0 },
        description: 'Epochs of linear warm-up from zero to the peak rate.',
        default: 0,
      },
    }),
    description: 'How the learning rate changes over training.',
  },
  batch_size: {
    node: { kind: 'number', integer: true, min: 1, max: 4096 },
    description: 'Images per training step.',
    aliases: ['batch', 'batchsize', 'bs'],
    default: 32,
  },
  accumulate_steps: {
    node: { kind: 'number', integer: true, min: 1, max: 4096 },
    description:
      "Forward/backward passes per training step: each batch is split into this many micro-batches whose gradients are summed, then the optimizer steps once, as with the whole batch (batch-norm statistics are per micro-batch). RadLab splits further by itself when a micro-batch would not fit the engine's memory, and says so before training.",
    aliases: ['gradient_accumulation', 'accumulation_steps', 'grad_accum'],
    default: 1,
  },
  epochs: {
    node: { kind: 'number', integer: true, min: 1, max: 10000 },
    description: 'Passes over the training split.',
    aliases: ['num_epochs', 'n_epochs', 'max_epochs'],
    default: 30,
  },
  loss: {
    node: object({
      class_weights: {
        node: {
          kind: 'oneOf',
          options: [
            {
              kind: 'enum',
              values: ['competition', 'inverse_frequency', 'none'],
              valueDocs: {
                competition: "1/2/4, the weights of the competition's metric (Severe counts four times Normal/Mild).",
                inverse_frequency:
                  'Weights from the training split: rare grades count more; a grade absent from it is a warning.',
                none: 'Every grade counts the same.',
              },
            },
            { kind: 'list', items: { kind: 'number', min: 0 }, length: 3 },
          ],
        },
        description: 'Per-grade loss weights (Normal/Mild, Moderate, Severe).',
        default: 'competition',
      },
      label_smoothing: {
        node: { kind: 'number', min: 0, max: 1, exclusiveMax: true },
        description: 'Label smoothing.',
        default: 0,
      },
    }),
    description: 'Training loss.',
  },
  augment: {
    node: object({
      hflip: {
        node: fraction,
        description:
          'Probability of a horizontal flip. The default applies to conditions without a side; left and right conditions train without flips.',
        default: 0.5,
      },
      rotate_deg: {
        node: { kind: 'number', min: 0, max: 180 },
        description: 'Random rotation up to ± this many degrees.',
        default: 15,
      },
      jitter_px: {
        node: { kind: 'number', integer: true, min: 0, max: 128 },
        description: 'Random shift of the crop centre up to ± this many pixels.',
        default: 0,
      },
      brightness: { node: fraction, description: 'Random brightness change up to ± this fraction.', default: 0 },
      contrast: { node: fraction, description: 'Random contrast change up to ± this fraction.', default: 0 },
    }),
    description: 'Random changes to training images.',
  },
  normalize: {
    node: {
      kind: 'enum',
      values: ['imagenet', 'none'],
      valueDocs: { imagenet: 'Subtract the ImageNet mean and divide by its std.', none: 'Pixels scaled to [0, 1].' },
    },
    description: 'Input normalisation; pretrained backbones expect imagenet.',
    default: 'imagenet',
  },
  select_best: {
    node: {
      kind: 'enum',
      values: ['val_macro_f1', 'val_accuracy', 'val_loss', 'val_weighted_log_loss'],
      valueDocs: {
        val_macro_f1: 'Highest validation macro F1.',
        val_accuracy: 'Highest validation accuracy.',
        val_loss: 'Lowest validation loss.',
        val_weighted_log_loss: "Lowest validation log loss with the competition's 1/2/4 weights.",
      },
    },
    description: 'Which epoch’s checkpoint is kept and tested; on a tie, the later epoch.',
    default: 'val_weighted_log_loss',
  },
  calibrate: {
    node: {
      kind: 'enum',
      values: ['none', 'temperature'],
      valueDocs: {
        none: 'Test with the model’s own probabilities.',
        temperature:
          'Also fit one temperature on the validation predictions (lowest weighted log loss) and report the test ECE, weighted log loss and score before and after it in metrics.json.',
      },
    },
    description: 'Post-hoc calibration of the predicted probabilities, fitted on validation.',
    default: 'none',
  },
  early_stopping: {
    node: object({
      patience: {
        node: { kind: 'number', integer: true, min: 0 },
        description: 'Stop after this many epochs without improvement of select_best; 0 never stops early.',
        default: 0,
      },
    }),
    description: 'Stopping when validation stops improving.',
  },
  grad_clip: {
    node: { kind: 'number', min: 0 },
    description: 'Clip the global gradient norm to this value; 0 does not clip.',
    default: 0,
  },
  seed: { ...seed, description: 'Seed for initialisation, shuffling, dropout and augmentation.' },
  engine: {
    node: {
      kind: 'enum',
      values: ENGINES,
      valueDocs: {
        auto: 'The fastest available: tfjs-node-gpu, then tfjs-node, webgpu, wasm.',
        'tfjs-node-gpu': 'TensorFlow with CUDA (NVIDIA GPU).',
        'tfjs-node': 'TensorFlow on the CPU.',
        webgpu: 'WebGPU through Dawn (needs a Vulkan, Metal or D3D12 adapter).',
        wasm: 'WebAssembly with SIMD and threads; runs everywhere.',
      },
    },
    description: 'Training engine.',
    default: 'auto',
  },
  threads: {
    node: { kind: 'number', integer: true, min: 0, max: 1024 },
    description: 'CPU threads for the wasm engine and DICOM decoding; 0 uses every core.',
    default: 0,
  },
});

const slurmOption = (description: string, pattern: RegExp, patternHint: string, example: string): FieldSpec => ({
  node: { kind: 'string', pattern, patternHint },
  description: `${description} Empty leaves it to the cluster's default. Example: ${example}.`,
  default: '',
});

const slurmSection = object({
  partition: slurmOption(
    'Slurm partition (queue) the jobs go to.',
    /^[A-Za-z0-9_.,-]*$/,
    'a partition name (letters, digits, "_", "-", ".")',
    'gpu',
  ),
  account: slurmOption(
    'Slurm account charged for the jobs.',
    /^[A-Za-z0-9_.-]*$/,
    'an account name (letters, digits, "_", "-", ".")',
    'radiology',
  ),
  gpus: {
    node: { kind: 'number', integer: true, min: 0, max: 64 },
    description: 'GPUs per backbone run (sbatch --gpus); 0 asks for none.',
    default: 0,
  },
  cpus: {
    node: { kind: 'number', integer: true, min: 1, max: 1024 },
    description: 'CPU cores per backbone run (sbatch --cpus-per-task); set train.threads to match for the wasm engine.',
    default: 4,
  },
  memory: slurmOption(
    'Memory per backbone run (sbatch --mem).',
    /^(\d+[KMGT]?)?$/,
    'a size such as 32G or 16000M',
    '32G',
  ),
  time: slurmOption(
    'Time limit per backbone run (sbatch --time); a run that reaches it is stopped by Slurm.',
    /^((\d+-)?\d+(:\d{1,2}){0,2})?$/,
    'a Slurm time such as 90, 12:00:00 or 2-00:00:00',
    '12:00:00',
  ),
  extra: {
    node: {
      kind: 'list',
      items: {
        kind: 'string',
        pattern: /^(#SBATCH\s+)?--?[A-Za-z]/,
        patternHint: 'an sbatch option such as --qos=long or #SBATCH --constraint=a100',
      },
    },
    description: 'More sbatch options, one per item, written as #SBATCH lines of the batch script.',
    default: [],
  },
  setup: {
    node: { kind: 'list', items: { kind: 'string' } },
    description: 'Shell lines run on the compute node before radlab, e.g. module load nodejs/20 or source env.sh.',
    default: [],
  },
  command_prefix: {
    node: { kind: 'string' },
    description:
      'Put before the radlab command on the compute node, e.g. apptainer exec --nv radlab.sif; empty runs it directly.',
    default: '',
  },
});

const executorSection = object({
  name: {
    node: {
      kind: 'enum',
      values: EXECUTORS,
      valueDocs: {
        local: 'Runs on this machine, one backbone after another (radlab run).',
        slurm: 'Submitted to a Slurm cluster as a job array, one task per backbone (radlab submit).',
      },
    },
    description: 'Where the runs execute.',
    default: 'local',
  },
  slurm: { node: slurmSection, description: 'Slurm resources and environment, used when name is slurm.' },
});

/**
 * The one rule for an experiment's name, used by the validator and by "New Experiment". The name becomes a file
 * name, a run folder and a command-line argument: a leading '-' would read as an option, and 64 characters keep
 * `<output>/<name>/<run id>-<backbone>/...` well inside Windows' 260-character path limit.
 */
export const experimentNameNode: StringNode & { pattern: RegExp; patternHint: string } = {
  kind: 'string',
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  patternHint:
    'at most 64 letters, digits, ".", "_" and "-", starting with a letter or digit (it names the run folder)',
};

export const experimentSchema: ObjectNode = object({
  name: {
    node: experimentNameNode,
    description: 'Experiment name; runs are written to <output>/<name>/.',
    required: true,
    example: 'canal-stenosis',
  },
  description: { node: { kind: 'string' }, description: 'Free text shown beside the runs.' },
  data: { node: dataSection, description: 'The dataset and how samples are made from it.', required: true },
  model: { node: modelSection, description: 'Backbone(s), pretrained weights and the head.', required: true },
  train: { node: trainSection, description: 'Optimisation, augmentation and model selection.' },
  executor: {
    node: executorSection,
    description:
      'Where the runs execute: this machine, or a Slurm cluster (radlab submit); the editor settings radlab.executor and radlab.slurm.* override it.',
  },
  output: {
    node: { kind: 'path', target: 'folder', mustExist: false },
    description: 'Folder that receives the run folders, relative to this file.',
    default: 'runs/',
  },
});

function markFixedKeys(path: readonly string[], fixedKeys: Record<string, string>): void {
  let node: SchemaNode = experimentSchema;
  for (const key of path) node = (node as ObjectNode).fields[key]!.node;
  (node as { fixedKeys?: Record<string, string> }).fixedKeys = fixedKeys;
}

// Files written when these had a (single) value to choose still carry them; see ObjectNode.fixedKeys.
markFixedKeys(['data', 'split'], {
  by: 'splits are always by study: a study and its levels never straddle two splits',
});
markFixedKeys(['train', 'loss'], { name: 'the loss is always softmax cross-entropy' });
