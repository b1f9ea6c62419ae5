// Pictures of a saliency map for people: the crop the model saw in grey, the map in the jet colour scale (blue low,
// red high), and the two blended. PNGs are enlarged by a whole factor with nearest-neighbour sampling to at least
// MIN_DISPLAY_SIDE pixels, so a 32-pixel crop stays visible and no pixel is smoothed into its neighbours.
import sharp from 'sharp';
import type { PredictionExplanation } from './explainPrediction';
import { DEFAULT_OPACITY } from './saliencyMethods';

const MIN_DISPLAY_SIDE = 256;

/** The classic jet scale: piecewise-linear blue -> cyan -> yellow -> red over [0, 1]. */
function jetColour(t: number): [number, number, number] {
  const channel = (centre: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - centre))));
  return [channel(3), channel(2), channel(1)];
}

async function rgbPng(rgb: Uint8Array, side: number): Promise<Buffer> {
  const displayed = side * Math.max(1, Math.ceil(MIN_DISPLAY_SIDE / side));
  return sharp(rgb, { raw: { width: side, height: side, channels: 3 } })
    .resize(displayed, displayed, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

function checkOpacity(opacity: number): void {
  if (!(opacity >= 0 && opacity <= 1)) throw new RangeError(`the overlay opacity ${opacity} is not between 0 and 1`);
}

/** RGB pixels of the crop with the map blended over it: (1 - opacity) grey + opacity colour. */
function overlayPixels({ crop, saliency }: PredictionExplanation, opacity: number): Uint8Array {
  checkOpacity(opacity);
  const rgb = new Uint8Array(crop.grey.length * 3);
  crop.grey.forEach((grey, p) => {
    const colour = jetColour(saliency.values[p]!);
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round((1 - opacity) * grey + opacity * colour[c]!);
  });
  return rgb;
}

/** The crop alone, the map alone (opacity 1) and the blend, as PNGs the same size. */
export async function saliencyPngs(
  explanation: PredictionExplanation,
  opacity = DEFAULT_OPACITY,
): Promise<{ crop: Buffer; heatmap: Buffer; overlay: Buffer }> {
  const { side, grey } = explanation.crop;
  const crop = new Uint8Array(grey.length * 3).map((_, i) => grey[Math.floor(i / 3)]!);
  return {
    crop: await rgbPng(crop, side),
    heatmap: await rgbPng(overlayPixels(explanation, 1), side),
    overlay: await rgbPng(overlayPixels(explanation, opacity), side),
  };
}
