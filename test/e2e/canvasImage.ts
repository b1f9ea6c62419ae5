// Reads what a <canvas> in the page shows, so a scenario can check that a chart drew its curves or that a viewer
// drew an image, from the pixels themselves rather than from the page's own idea of what it drew.
import type { FrameLocator, Locator } from 'playwright-core';

export interface CanvasImage {
  width: number;
  height: number;
  /** Row-major RGBA, 4 bytes a pixel, as getImageData returns it. */
  rgba: Uint8Array;
}

export type Rgb = [number, number, number];

export async function readCanvas(canvas: Locator): Promise<CanvasImage> {
  const { width, height, base64 } = await canvas.evaluate((element) => {
    const canvasElement = element as HTMLCanvasElement;
    const context = canvasElement.getContext('2d');
    if (context === null) throw new Error(`#${canvasElement.id} has no 2d context`);
    const bytes = context.getImageData(0, 0, canvasElement.width, canvasElement.height).data;
    // Base64 keeps the transfer to Node one string instead of a JSON array of a million numbers.
    let binary = '';
    for (let offset = 0; offset < bytes.length; offset += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
    }
    return { width: canvasElement.width, height: canvasElement.height, base64: btoa(binary) };
  });
  return { width, height, rgba: new Uint8Array(Buffer.from(base64, 'base64')) };
}

/**
 * The colour a CSS custom property of the page resolves to (VS Code's theme variables, e.g. --vscode-charts-blue),
 * normalised by the browser itself: a canvas's fillStyle reads back as #rrggbb whatever notation was assigned.
 */
export async function themeColour(page: FrameLocator, variable: string): Promise<Rgb> {
  const hex = await page.locator('body').evaluate((body, name) => {
    const value = getComputedStyle(body).getPropertyValue(name).trim();
    if (value === '') throw new Error(`the page defines no ${name}`);
    const context = document.createElement('canvas').getContext('2d')!;
    context.fillStyle = value;
    return context.fillStyle;
  }, variable);
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`${variable} resolved to ${hex}, not an opaque #rrggbb colour`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** Pixels that are not fully transparent: an untouched canvas has none. */
export function paintedPixels(image: CanvasImage): number {
  let count = 0;
  for (let i = 3; i < image.rgba.length; i += 4) if (image.rgba[i]! > 0) count++;
  return count;
}

/**
 * Opaque pixels within `tolerance` (per channel) of one of `colours`, counted from row `fromRow` down. Anti-aliased
 * line edges blend into the background, but the middle of a 3 px line is drawn in its exact colour.
 */
export function pixelsOfColours(image: CanvasImage, colours: readonly Rgb[], fromRow: number, tolerance = 24): number {
  let count = 0;
  for (let y = Math.max(0, Math.floor(fromRow)); y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = 4 * (y * image.width + x);
      if (image.rgba[i + 3]! < 250) continue;
      const [r, g, b] = [image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!];
      if (
        colours.some(
          ([cr, cg, cb]) =>
            Math.abs(r - cr) <= tolerance && Math.abs(g - cg) <= tolerance && Math.abs(b - cb) <= tolerance,
        )
      )
        count++;
    }
  }
  return count;
}
