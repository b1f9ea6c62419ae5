// Drawing labelled and predicted points over a slice, in screen pixels: a labelled point is a ring with its text
// to the right, a predicted level a cross in a square with its text to the left, so the two stay apart where they
// fall close. Text sits on a dark box so it reads over bright anatomy; a black outline under each mark keeps it
// visible on bright and dark tissue alike.
import type { DicomFocus, SeriesPoints, SlicePoint } from './contract';

/** Where the image lies on the overlay: its top-left corner and screen pixels per image pixel. */
export interface ImagePlacement {
  left: number;
  top: number;
  scaleX: number;
  scaleY: number;
}

export const MARK_RADIUS = 7;
const FONT = '12px var(--vscode-font-family, sans-serif)';
const TEXT_HEIGHT = 16;
const GAP = 5;

/** A point's pixel centre on screen (pixel (x, y) spans x..x+1, so its centre is at +0.5). */
export function screenPosition(point: Pick<SlicePoint, 'x' | 'y'>, image: ImagePlacement): { x: number; y: number } {
  return { x: image.left + (point.x + 0.5) * image.scaleX, y: image.top + (point.y + 0.5) * image.scaleY };
}

/** Strokes a shape twice: wide in black, then narrower in its colour on top. */
function outlined(pen: CanvasRenderingContext2D, colour: string, stroke: () => void): void {
  for (const [style, width] of [
    ['black', 4],
    [colour, 2],
  ] as const) {
    pen.strokeStyle = style;
    pen.lineWidth = width;
    stroke();
  }
}

function ring(pen: CanvasRenderingContext2D, x: number, y: number, colour: string): void {
  outlined(pen, colour, () => {
    pen.beginPath();
    pen.arc(x, y, MARK_RADIUS, 0, 2 * Math.PI);
    pen.stroke();
  });
}

function crossInSquare(pen: CanvasRenderingContext2D, x: number, y: number, colour: string): void {
  const r = MARK_RADIUS;
  outlined(pen, colour, () => {
    pen.strokeRect(x - r, y - r, 2 * r, 2 * r);
    pen.beginPath();
    pen.moveTo(x - r / 2, y);
    pen.lineTo(x + r / 2, y);
    pen.moveTo(x, y - r / 2);
    pen.lineTo(x, y + r / 2);
    pen.stroke();
  });
}

/** The text on a dark box beside the mark, kept inside the panel. */
function label(
  pen: CanvasRenderingContext2D,
  text: string,
  at: { x: number; y: number },
  side: 'left' | 'right',
  colour: string,
  panel: { width: number; height: number },
): void {
  pen.font = FONT;
  const width = pen.measureText(text).width + 8;
  const wanted = side === 'right' ? at.x + MARK_RADIUS + GAP : at.x - MARK_RADIUS - GAP - width;
  const left = Math.min(Math.max(wanted, 0), Math.max(panel.width - width, 0));
  const top = Math.min(Math.max(at.y - TEXT_HEIGHT / 2, 0), Math.max(panel.height - TEXT_HEIGHT, 0));
  pen.fillStyle = 'rgba(0, 0, 0, 0.72)';
  pen.fillRect(left, top, width, TEXT_HEIGHT);
  pen.fillStyle = colour;
  pen.textBaseline = 'middle';
  pen.fillText(text, left + 4, top + TEXT_HEIGHT / 2 + 0.5);
}

export function drawSlicePoints(
  pen: CanvasRenderingContext2D,
  image: ImagePlacement,
  panel: { width: number; height: number },
  labelled: readonly SlicePoint[],
  predicted: readonly SlicePoint[],
): void {
  // Marks first, then all text, so no ring is hidden under another point's box.
  const marks = [
    ...labelled.map((point) => ({ point, side: 'right' as const, draw: ring })),
    ...predicted.map((point) => ({ point, side: 'left' as const, draw: crossInSquare })),
  ].map((mark) => ({ ...mark, at: screenPosition(mark.point, image) }));
  for (const { point, at, draw } of marks) draw(pen, at.x, at.y, point.colour);
  for (const { point, at, side } of marks) label(pen, point.label, at, side, point.colour, panel);
}

/** The input square of a prediction opened from a run's gallery: a colour no grade uses, so it reads as "the crop". */
export const FOCUS_BOX_COLOUR = '#00e5ff';

/** One line per focus: its level and grades, and the probabilities the run predicted. */
export function focusText(focus: DicomFocus): string {
  const probabilities = focus.probabilities.map((p) => `${p.grade} ${(p.probability * 100).toFixed(0)}%`).join(' · ');
  return `${focus.label} · ${probabilities}`;
}

/** A gallery prediction on its slice: the model's input square (dashed), the level's mark and its probabilities. */
export function drawFocus(
  pen: CanvasRenderingContext2D,
  image: ImagePlacement,
  panel: { width: number; height: number },
  focus: DicomFocus,
): void {
  const { box } = focus;
  const corner = screenPosition({ x: box.left - 0.5, y: box.top - 0.5 }, image);
  pen.setLineDash([6, 4]);
  outlined(pen, FOCUS_BOX_COLOUR, () =>
    pen.strokeRect(corner.x, corner.y, box.width * image.scaleX, box.height * image.scaleY),
  );
  pen.setLineDash([]);
  const at = screenPosition(focus, image);
  crossInSquare(pen, at.x, at.y, focus.colour);
  // Above the square, so the text does not cover the crop it describes.
  const above = { x: at.x, y: Math.max(corner.y - TEXT_HEIGHT, TEXT_HEIGHT / 2) };
  label(pen, focusText(focus), above, 'right', focus.colour, panel);
}

function sliceList(list: readonly SlicePoint[]): string {
  const slices = [...new Set(list.map((point) => point.instanceNumber))].sort((a, b) => a - b);
  return `instance${slices.length === 1 ? '' : 's'} ${slices.join(', ')}`;
}

/** One line under the toolbar: which slices hold points, so the reader knows where to step, and any problem. */
export function pointsSummary(points: SeriesPoints, instanceNumber: number | null): string {
  const parts: string[] = [];
  const here = (list: readonly SlicePoint[]) => list.filter((point) => point.instanceNumber === instanceNumber).length;
  if (points.labelled.length > 0)
    parts.push(`Labelled points on ${sliceList(points.labelled)} (${here(points.labelled)} on this slice)`);
  if (points.predicted.length > 0)
    parts.push(`Predicted levels on ${sliceList(points.predicted)} (${here(points.predicted)} on this slice)`);
  parts.push(...points.problems);
  return parts.join(' · ');
}
