// The words the status bar and the progress notification show for a live run.
import type { LiveRun } from './liveRun';

/** "45s", "3m 05s", "1h 02m", "2d 4h": two units at most, so the status bar text stays short. */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '?';
  const seconds = Math.round(totalSeconds);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Three significant digits: losses run from ~1.1 down to ~0.01. */
export function formatLoss(loss: number): string {
  return loss.toPrecision(3);
}

/** The parts shown after the backbone: epoch, loss, ETA, each only once known. */
function progressParts(state: LiveRun): string[] {
  const parts: string[] = [];
  if (state.epoch !== undefined) parts.push(`epoch ${state.epoch}${state.epochs !== undefined ? `/${state.epochs}` : ''}`);
  if (state.loss !== undefined) parts.push(`loss ${formatLoss(state.loss)}`);
  if (state.phase === 'testing') parts.push('testing the best checkpoint');
  else if (state.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(state.etaSeconds)}`);
  return parts;
}

/** e.g. "canal-stenosis · convnext_base · epoch 3/30 · loss 0.512 · ETA 4m 10s". */
export function statusBarText(state: LiveRun): string {
  const head = [state.experiment, state.backbone ?? 'starting…'];
  return [...head, ...progressParts(state)].join(' · ');
}

/** The progress notification's message: the backbone and its progress, with the step within the epoch. */
export function progressMessage(state: LiveRun): string {
  if (state.backbone === undefined) return 'starting…';
  const step =
    state.phase !== 'testing' && state.step !== undefined && state.steps !== undefined
      ? [`step ${state.step}/${state.steps}`]
      : [];
  return [state.backbone, ...progressParts(state), ...step].join(' · ');
}

/** Hover text for the status bar item: everything known about the live run, one fact per line. */
export function statusBarTooltip(state: LiveRun, queued: number): string {
  const lines = [`RadLab run: ${state.experiment}`];
  if (state.backbone !== undefined) lines.push(`Backbone: ${state.backbone} (run ${state.runId})`);
  if (state.engine !== undefined) lines.push(`Engine: ${state.engine} on ${state.device}`);
  if (state.step !== undefined && state.steps !== undefined) lines.push(`Step ${state.step} of ${state.steps}`);
  if (state.imagesPerSecond !== undefined) lines.push(`${state.imagesPerSecond.toFixed(1)} images/s`);
  if (state.lastValMacroF1 !== undefined) lines.push(`Last validation macro-F1: ${state.lastValMacroF1.toFixed(3)}`);
  for (const done of state.finished) lines.push(`Finished ${done.backbone}: ${done.status}`);
  if (queued > 0) lines.push(`${queued} more run${queued === 1 ? '' : 's'} queued`);
  lines.push('Click to stop the run (asks first).');
  return lines.join('\n');
}
