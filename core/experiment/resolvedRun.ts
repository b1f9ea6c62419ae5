// The shape of one fully resolved run, as the trainer receives it. It mirrors schema.ts with every default
// applied; test/experiment/resolve.test.ts walks the schema to prove the two stay in step.
import type { Condition, Level, SeriesDescription } from '../data/lsdcVocabulary';
import type { SyntheticParameters } from '../data/synthetic/generate';
import type { SplitSettings } from '../data/splits';
import type { ENGINES, EXECUTORS } from './schema';

export interface ResolvedRun {
  name: string;
  description?: string;
  /** Absolute path of the experiment file this run came from. */
  experimentFile: string;
  /** Position of this run in the sweep (backbones × conditions × folds), and the sweep's length. */
  sweepIndex: number;
  sweepSize: number;
  /** Names the run folder after the run id: the backbone, then the condition and fold where the sweep varies them. */
  memberName: string;
  data: {
    /** Absolute dataset folder. */
    root: string;
    synthetic?: SyntheticParameters;
    /** The one condition this run grades (data.condition's list or `all` is one run per condition). */
    condition: Condition;
    levels: Level[];
    series: 'auto' | SeriesDescription;
    input: {
      mode: 'crop' | 'slice';
      crop_mm: number;
      slices: number;
      size: number;
      window: 'auto' | 'tags' | { center: number; width: number };
    };
    /** fold: this run's test fold when folds ≥ 2 (data.split.fold's list, or its absence, is one run per fold). */
    split: SplitSettings;
  };
  model: {
    task: 'classifier' | 'localizer';
    backbone: string;
    /**
     * `imagenet` for the backbone's official weights (fetched through the weights cache), an absolute weights file
     * or folder, or null for random initialisation. Resolved paths are absolute, so `imagenet` is never a path.
     */
    pretrained: 'imagenet' | string | null;
    /** Absolute folder for downloaded weights, or '' for RADLAB_WEIGHTS_CACHE or the default cache. */
    weights_cache: string;
    level_embedding: number;
    head: { hidden: number[]; dropout: number };
    /** Present when the experiment writes model.refine (a localizer's refinement stage). */
    refine?: { crop_mm: number; size: number; jitter_mm: number; epochs?: number };
    freeze_backbone: boolean;
    unfreeze_last_n: number;
  };
  train: {
    optimizer: { name: 'adamw' | 'sgd'; lr: number; weight_decay: number; momentum: number };
    schedule: { name: 'constant' | 'cosine'; warmup_epochs: number };
    batch_size: number;
    accumulate_steps: number;
    epochs: number;
    loss: {
      class_weights: 'competition' | 'inverse_frequency' | 'none' | [number, number, number];
      label_smoothing: number;
    };
    augment: { hflip: number; rotate_deg: number; jitter_px: number; brightness: number; contrast: number };
    normalize: 'imagenet' | 'none';
    select_best: 'val_macro_f1' | 'val_accuracy' | 'val_loss' | 'val_weighted_log_loss';
    calibrate: 'none' | 'temperature';
    early_stopping: { patience: number };
    grad_clip: number;
    seed: number;
    engine: (typeof ENGINES)[number];
    threads: number;
  };
  executor: {
    name: (typeof EXECUTORS)[number];
    slurm: SlurmOptions;
  };
  /** Absolute folder receiving this experiment's run folders: <output>/<name>. */
  output: string;
}

/** executor.slurm: empty strings leave an option to the cluster's defaults. */
export interface SlurmOptions {
  partition: string;
  account: string;
  gpus: number;
  cpus: number;
  memory: string;
  time: string;
  extra: string[];
  setup: string[];
  command_prefix: string;
}
