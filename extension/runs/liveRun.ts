// What the extension shows about the run in progress, folded from its events. One trainer process can run a
// whole backbone sweep, so a run-start begins a new run within the same live state.
import type { RadLabEvent, RunStatus } from '../../core/train/events';
import { smoothEta, type SmoothedEta } from './etaSmoothing';

export interface LiveRun {
  experiment: string;
  runId?: string;
  /** The run folder, as the trainer's run-start names it. */
  runDir?: string;
  backbone?: string;
  engine?: string;
  device?: string;
  /** 1-based epoch in progress and the planned number of epochs. */
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  imagesPerSecond?: number;
  /** The time left in this backbone's training, smoothed from the trainer's estimates (etaSmoothing.ts). */
  etaSeconds?: number;
  eta?: SmoothedEta;
  /** After the last epoch the best checkpoint is tested, which sends no batch events: the editor says so. */
  phase?: 'training' | 'testing';
  lastValMacroF1?: number;
  /** Backbones finished in this process, with how they ended. */
  finished: Array<{ runId: string; backbone: string; status: RunStatus; error?: string }>;
  /** How the latest run ended, once its run-end arrived. */
  status?: RunStatus;
  error?: string;
}

export function initialLiveRun(experiment: string): LiveRun {
  return { experiment, finished: [] };
}

export function applyEvent(state: LiveRun, event: RadLabEvent): LiveRun {
  switch (event.type) {
    case 'run-start':
      return {
        experiment: event.experiment,
        runId: event.runId,
        runDir: event.runDir,
        backbone: event.backbone,
        engine: event.engine,
        device: event.device,
        finished: state.finished,
      };
    case 'epoch-start':
      return { ...state, epoch: event.epoch, epochs: event.epochs, step: 0, steps: undefined };
    case 'batch': {
      const eta = smoothEta(state.eta, event.etaSeconds, Date.parse(event.time));
      return {
        ...state,
        epoch: event.epoch,
        step: event.step,
        steps: event.steps,
        loss: event.loss,
        imagesPerSecond: event.imagesPerSecond,
        etaSeconds: eta.seconds,
        eta,
        phase: 'training',
      };
    }
    case 'epoch-end': {
      const last = state.epochs !== undefined && event.epoch >= state.epochs;
      return {
        ...state,
        epoch: event.epoch,
        loss: event.train.loss,
        lastValMacroF1: event.val.macroF1,
        ...(last ? { phase: 'testing' as const, etaSeconds: undefined, eta: undefined } : {}),
      };
    }
    case 'artifact':
    case 'warning':
      return state;
    case 'run-end': {
      const finished =
        state.runId !== undefined && state.backbone !== undefined
          ? [...state.finished, { runId: state.runId, backbone: state.backbone, status: event.status, error: event.error }]
          : state.finished;
      return { ...state, finished, status: event.status, error: event.error, etaSeconds: undefined };
    }
  }
}

/**
 * How far the current backbone's run has come, from 0 to 1: whole epochs done plus the fraction of the
 * current one. Undefined until the number of epochs is known.
 */
export function runFraction(state: LiveRun): number | undefined {
  if (state.status !== undefined) return 1;
  if (state.epoch === undefined || state.epochs === undefined || state.epochs <= 0) return undefined;
  const withinEpoch = state.steps !== undefined && state.steps > 0 ? (state.step ?? 0) / state.steps : 0;
  return Math.min(1, Math.max(0, (state.epoch - 1 + withinEpoch) / state.epochs));
}
