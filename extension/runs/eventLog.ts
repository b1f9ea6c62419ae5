// The lines the "RadLab Runs" output channel shows for trainer events. Batch events arrive several times a
// second and feed the status bar instead; everything else gets one readable line.
import type { EpochScores } from '../../core/metrics/epochScores';
import type { RadLabEvent } from '../../core/train/events';
import { formatLoss } from './statusText';

function scores(label: string, s: EpochScores): string {
  return `${label} loss ${formatLoss(s.loss)} acc ${s.accuracy.toFixed(3)} macro-F1 ${s.macroF1.toFixed(3)}`;
}

export function describeEvent(event: RadLabEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `▶ ${event.experiment}: run ${event.runId} (${event.backbone}) on ${event.engine}, ${event.device}; samples train ${event.counts.train}, val ${event.counts.val}, test ${event.counts.test}`;
    case 'epoch-start':
      return `epoch ${event.epoch}/${event.epochs}`;
    case 'batch':
      return undefined;
    case 'epoch-end':
      return `epoch ${event.epoch}: ${scores('train', event.train)} | ${scores('val', event.val)} | lr ${event.lr.toExponential(2)}${event.best ? ' (best so far)' : ''}`;
    case 'artifact':
      return `wrote ${event.kind}: ${event.path}`;
    case 'warning':
      return `⚠ ${event.message}`;
    case 'run-end':
      return `■ run ${event.status}${event.error !== undefined ? `: ${event.error}` : ''}`;
  }
}
