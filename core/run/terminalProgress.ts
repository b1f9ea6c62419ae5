// What a person sees in the terminal during `radlab run`: a progress bar with ETA redrawn in place on a TTY,
// plain lines otherwise (CI logs, the editor's output channel), never both.
import type { EpochHistory } from '../train/trainingCheckpoint';
import type { BatchProgress } from '../train/trainEpoch';

export interface ProgressDisplay {
  note(message: string): void;
  /** A problem that does not stop the run (it is an event too). */
  warning(message: string): void;
  stage(label: string, done: number, total: number): void;
  batch(epoch: number, epochs: number, progress: BatchProgress, etaSeconds: number): void;
  epoch(history: EpochHistory, best: boolean, dataWaitShare: number): void;
  done(): void;
}

export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function epochLine(history: EpochHistory, best: boolean, dataWaitShare: number): string {
  const { train, val } = history;
  return (
    `epoch ${history.epoch}: train loss ${train.loss.toFixed(4)} acc ${train.accuracy.toFixed(3)} F1 ${train.macroF1.toFixed(3)} | ` +
    `val loss ${val.loss.toFixed(4)} acc ${val.accuracy.toFixed(3)} F1 ${val.macroF1.toFixed(3)} wLL ${val.weightedLogLoss.toFixed(3)} | ` +
    `${history.seconds.toFixed(1)}s, data wait ${(dataWaitShare * 100).toFixed(1)}%${best ? ' (best)' : ''}`
  );
}

/**
 * `eventsElsewhere`: the run's events go to another stream that a program reads (`radlab run --events-stdout`,
 * as the editor starts it), and that program shows epochs and warnings from them; this display then prints only
 * what no event carries (notes, preparation progress), so nothing reaches the reader twice.
 */
export function createProgressDisplay(out: NodeJS.WriteStream, eventsElsewhere = false): ProgressDisplay {
  const live = out.isTTY === true;
  let lastStagePercent = -1;
  const clear = () => {
    if (live) out.write('\r\x1b[2K');
  };
  return {
    note(message) {
      clear();
      out.write(`${message}\n`);
    },
    stage(label, done, total) {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      if (live) out.write(`\r\x1b[2K${label} ${bar(done / Math.max(1, total))} ${done}/${total}`);
      else if (percent >= lastStagePercent + 25 || done === total) {
        lastStagePercent = percent;
        out.write(`${label}: ${done}/${total}\n`);
      }
      if (live && done === total) out.write('\n');
    },
    warning(message) {
      if (eventsElsewhere) return;
      clear();
      out.write(`Warning: ${message}\n`);
    },
    batch(epoch, epochs, progress, etaSeconds) {
      if (!live) return;
      out.write(
        `\r\x1b[2Kepoch ${epoch}/${epochs} ${bar(progress.step / progress.steps)} ${progress.step}/${progress.steps} ` +
          `loss ${progress.loss.toFixed(4)} ${progress.imagesPerSecond.toFixed(1)} img/s ETA ${formatDuration(etaSeconds)}`,
      );
    },
    epoch(history, best, dataWaitShare) {
      if (eventsElsewhere) return;
      clear();
      out.write(`${epochLine(history, best, dataWaitShare)}\n`);
    },
    done() {
      clear();
    },
  };
}
