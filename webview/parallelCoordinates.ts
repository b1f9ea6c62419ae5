// Parallel coordinates drawn straight on a canvas: one vertical axis per varied parameter (and the chosen metric),
// one polyline per run in its style. chart.js draws a dataset per line with its own bookkeeping, which takes
// seconds for hundreds of runs; a few hundred polylines on a 2D context take milliseconds.
import type { RunStyle } from '../core/table/runStyle';
import type { ParallelPlot } from '../core/table/tableView';
import { themeColour } from './charts';

const MARGIN = { left: 24, right: 24, top: 28, bottom: 44 };

function rangeText(min: number | null, max: number | null): [string, string] {
  const text = (value: number | null) => (value === null ? '' : String(Number(value.toPrecision(4))));
  return [text(max), text(min)];
}

/** The text, cut with an ellipsis to fit `room` pixels in the context's font; long paths keep their end. */
function fitted(context: CanvasRenderingContext2D, text: string, room: number): string {
  if (context.measureText(text).width <= room) return text;
  for (let keep = text.length - 1; keep > 0; keep--) {
    const cut = `…${text.slice(text.length - keep)}`;
    if (context.measureText(cut).width <= room) return cut;
  }
  return '';
}

/** Draws the plot to fit the canvas' box at the screen's pixel density; `styles` holds each line's run style. */
export function drawParallelCoordinates(
  canvas: HTMLCanvasElement,
  plot: ParallelPlot,
  styles: readonly RunStyle[],
  title: string,
): void {
  const box = canvas.getBoundingClientRect();
  const scale = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(box.width * scale));
  canvas.height = Math.max(1, Math.round(box.height * scale));
  const context = canvas.getContext('2d');
  if (context === null) return;
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, box.width, box.height);
  const text = themeColour('--vscode-foreground', '#cccccc');
  const muted = themeColour('--vscode-descriptionForeground', '#9d9d9d');
  const font = themeColour('--vscode-font-family', 'sans-serif');
  context.font = `bold 12px ${font}`;
  context.fillStyle = text;
  context.textAlign = 'center';
  context.fillText(title, box.width / 2, 16);
  const { axes, lines } = plot;
  if (axes.length === 0) return;
  const width = box.width - MARGIN.left - MARGIN.right;
  const height = box.height - MARGIN.top - MARGIN.bottom;
  const xOf = (axis: number) => MARGIN.left + (axes.length === 1 ? width / 2 : (axis / (axes.length - 1)) * width);
  const yOf = (value: number) => MARGIN.top + (1 - value) * height;

  context.lineWidth = 1.5;
  context.globalAlpha = 0.75;
  lines.forEach((line, i) => {
    context.strokeStyle = styles[i]!.colour;
    context.setLineDash(styles[i]!.dash);
    context.beginPath();
    let drawing = false;
    line.values.forEach((value, axis) => {
      if (value === null) {
        drawing = false;
        return;
      }
      if (drawing) context.lineTo(xOf(axis), yOf(value));
      else context.moveTo(xOf(axis), yOf(value));
      drawing = true;
    });
    context.stroke();
  });
  context.globalAlpha = 1;
  context.setLineDash([]);
  context.font = `11px ${font}`;
  // Each axis' labels get the space between axes, less a gap.
  const room = axes.length === 1 ? width : width / (axes.length - 1) - 8;
  axes.forEach((axis, i) => {
    const x = xOf(i);
    context.strokeStyle = muted;
    context.beginPath();
    context.moveTo(x, MARGIN.top);
    context.lineTo(x, MARGIN.top + height);
    context.stroke();
    context.textAlign = i === 0 ? 'left' : i === axes.length - 1 ? 'right' : 'center';
    context.fillStyle = text;
    context.fillText(fitted(context, axis.key, room), x, MARGIN.top + height + 16);
    context.fillStyle = muted;
    if (axis.categories === null) {
      const [top, bottom] = rangeText(axis.min, axis.max);
      context.fillText(fitted(context, top, room), x, MARGIN.top - 4);
      context.fillText(fitted(context, bottom, room), x, MARGIN.top + height + 30);
    } else {
      context.textAlign = i === axes.length - 1 ? 'right' : 'left';
      axis.categories.forEach((category, k) => {
        const at = axis.categories!.length === 1 ? 0.5 : k / (axis.categories!.length - 1);
        context.fillText(fitted(context, category, room), x + (i === axes.length - 1 ? -4 : 4), yOf(at) + 4);
      });
    }
  });
}
