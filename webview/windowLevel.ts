// Window/level on the page: modality values to grey RGBA pixels, so dragging re-windows without asking the host.
// The mapping is DICOM's linear VOI function (PS3.3 C.11.2.1.2), the one core/dicom/window.ts applies on the
// host; that module reads files through Node, which a page cannot bundle, so the formula is restated here and
// test/webview/windowLevel.test.ts checks the two agree value for value.
import type { WindowLevel, WindowPreset } from './contract';

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

/** CT windows in Hounsfield units: fixed values mean the same tissue on every CT, and nothing on an MR. */
export const CT_PRESETS: readonly WindowPreset[] = [
  { id: 'soft-tissue', label: 'Soft tissue (C 40, W 400)', window: { center: 40, width: 400 } },
  { id: 'bone', label: 'Bone (C 400, W 1800)', window: { center: 400, width: 1800 } },
  { id: 'brain', label: 'Brain (C 40, W 80)', window: { center: 40, width: 80 } },
];

/** Dragging: horizontal moves change the width, vertical the center, scaled to the frame's value range. */
export function dragWindow(start: WindowLevel, dx: number, dy: number, valueRange: number): WindowLevel {
  const perPixel = Math.max(valueRange, 1) / 512;
  return { center: start.center + dy * perPixel, width: Math.max(1, start.width + dx * perPixel) };
}

/** The zoom (screen pixels per image pixel) at which an image of `natural` size fits inside `box`, whole. */
export function fitZoom(natural: { width: number; height: number }, box: { width: number; height: number }): number {
  if (natural.width <= 0 || natural.height <= 0 || box.width <= 0 || box.height <= 0) return 1;
  return Math.min(box.width / natural.width, box.height / natural.height);
}
