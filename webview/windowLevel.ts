// Window/level on the page: modality values to grey RGBA pixels, so dragging re-windows without asking the host.
// The mapping is DICOM's linear VOI function (PS3.3 C.11.2.1.2), the one core/dicom/window.ts applies on the
// host; that module reads files through Node, which a page cannot bundle, so the formula is restated here and
// test/webview/windowLevel.test.ts checks the two agree value for value.
import type { WindowLevel } from './contract';

export function windowedGrey(value: number, window: WindowLevel): number {
  const low = window.center - 0.5 - (window.width - 1) / 2;
  const high = window.center - 0.5 + (window.width - 1) / 2;
  if (value <= low) return 0;
  if (value > high) return 255;
  return Math.round(((value - (window.center - 0.5)) / Math.max(window.width - 1, 1e-9) + 0.5) * 255);
}

/** Fills `out` (4 bytes per pixel, as ImageData holds them) with the windowed grey of each value. */
export function windowToRgba(values: Float32Array, window: WindowLevel, invert: boolean, out: Uint8ClampedArray): void {
  if (out.length !== values.length * 4)
    throw new RangeError(
      `the RGBA buffer holds ${out.length} bytes, ${values.length} pixels need ${values.length * 4}`,
    );
  for (let i = 0; i < values.length; i++) {
    const grey = windowedGrey(values[i]!, window);
    const shown = invert ? 255 - grey : grey;
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = shown;
    out[4 * i + 3] = 255;
  }
}

/** Fixed presets in modality units (CT Hounsfield conventions; for MR only auto, tags and full range mean much). */
export const FIXED_PRESETS: readonly { id: string; label: string; window: WindowLevel }[] = [
  { id: 'soft-tissue', label: 'Soft tissue (C 40, W 400)', window: { center: 40, width: 400 } },
  { id: 'bone', label: 'Bone (C 400, W 1800)', window: { center: 400, width: 1800 } },
  { id: 'brain', label: 'Brain (C 40, W 80)', window: { center: 40, width: 80 } },
];

/** Dragging: horizontal moves change the width, vertical the center, scaled to the frame's value range. */
export function dragWindow(start: WindowLevel, dx: number, dy: number, valueRange: number): WindowLevel {
  const perPixel = Math.max(valueRange, 1) / 512;
  return { center: start.center + dy * perPixel, width: Math.max(1, start.width + dx * perPixel) };
}
