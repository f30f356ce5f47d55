/**
 * Sample inputs for the OCR text-direction classifier served in TEE mode by the embedded demo: text lines
 * drawn with a small bitmap font into 48×192 RGB images (dark ink on light paper, slight per-sample tint),
 * optionally rotated 180°, normalized as PaddleOCR's classifier expects ((v/255 − 0.5)/0.5, CHW).
 */

/** Image height and width the classifier takes (PaddleOCR `cls_image_shape` 3,48,192). */
export const OCR_CLS_HEIGHT = 48;
export const OCR_CLS_WIDTH = 192;

/**
 * 5-wide, 9-tall glyphs: rows 0–1 ascenders and capitals' tops, 2–6 the x-height, 7–8 descenders, so an
 * upright line has its ink where Latin text has it and a rotated one does not.
 */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  T: ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..", ".....", "....."],
  E: ["#####", "#....", "#....", "####.", "#....", "#....", "#####", ".....", "....."],
  H: ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", ".....", "....."],
  O: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.", ".....", "....."],
  P: ["####.", "#...#", "#...#", "####.", "#....", "#....", "#....", ".....", "....."],
  a: [".....", ".....", ".###.", "....#", ".####", "#...#", ".####", ".....", "....."],
  d: ["....#", "....#", ".####", "#...#", "#...#", "#...#", ".####", ".....", "....."],
  e: [".....", ".....", ".###.", "#...#", "#####", "#....", ".###.", ".....", "....."],
  g: [".....", ".....", ".####", "#...#", "#...#", ".####", "....#", "#...#", ".###."],
  h: ["#....", "#....", "####.", "#...#", "#...#", "#...#", "#...#", ".....", "....."],
  i: ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###.", ".....", "....."],
  l: [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.", ".....", "....."],
  n: [".....", ".....", "####.", "#...#", "#...#", "#...#", "#...#", ".....", "....."],
  o: [".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###.", ".....", "....."],
  p: [".....", ".....", "####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
  r: [".....", ".....", "#.##.", "##..#", "#....", "#....", "#....", ".....", "....."],
  t: [".#...", ".#...", "####.", ".#...", ".#...", ".#..#", "..##.", ".....", "....."],
  y: [".....", ".....", "#...#", "#...#", "#...#", ".####", "....#", "#...#", ".###."],
  " ": [".....", ".....", ".....", ".....", ".....", ".....", ".....", ".....", "....."],
};

/** Pixels per glyph cell: 9 rows × 5 = 45 of the 48 rows. */
const SCALE = 5;
const GLYPH_WIDTH = 5;
const GLYPH_SPACING = 1;

/** One demo sample: its text, whether it is upside down, and the classifier's input tensor. */
export type OcrSample = { text: string; rotated: boolean; tensor: Float32Array };

/**
 * Draws `text` as a 48×192 RGB line (left-aligned, white paper, near-black ink tinted by `seed`), rotates
 * it 180° when asked, and returns the normalized CHW tensor `[3, 48, 192]`.
 */
export function ocrSample(text: string, opts: { rotated?: boolean; seed?: number } = {}): OcrSample {
  const h = OCR_CLS_HEIGHT;
  const w = OCR_CLS_WIDTH;
  const ink = new Uint8Array(h * w);
  const top = Math.floor((h - 9 * SCALE) / 2);
  let x0 = 4;
  for (const ch of text) {
    const glyph = GLYPHS[ch];
    if (!glyph) throw new Error(`no glyph for "${ch}" in the demo font`);
    for (let r = 0; r < 9; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (glyph[r]![c] !== "#") continue;
        for (let dy = 0; dy < SCALE; dy++) {
          for (let dx = 0; dx < SCALE; dx++) {
            const x = x0 + c * SCALE + dx;
            if (x < w) ink[(top + r * SCALE + dy) * w + x] = 1;
          }
        }
      }
    }
    x0 += (GLYPH_WIDTH + GLYPH_SPACING) * SCALE;
  }
  const seed = opts.seed ?? 0;
  const paper = [250 - (seed % 7), 248 - (seed % 5), 245];
  const inkColor = [20 + (seed % 30), 20, 40 - (seed % 20)];
  const tensor = new Float32Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // A 180° rotation maps (y, x) to (h−1−y, w−1−x).
      const src = opts.rotated ? (h - 1 - y) * w + (w - 1 - x) : y * w + x;
      for (let ch = 0; ch < 3; ch++) {
        const v = ink[src] ? inkColor[ch]! : paper[ch]!;
        tensor[ch * h * w + y * w + x] = (v / 255 - 0.5) / 0.5;
      }
    }
  }
  return { text, rotated: opts.rotated ?? false, tensor };
}

/** The demo's samples: two upright lines and one upside down (the classifier gives ≥ 0.99 for each). */
export function demoOcrSamples(): OcrSample[] {
  return [
    ocrSample("Hello", { seed: 1 }),
    ocrSample("Hello", { seed: 2, rotated: true }),
    ocrSample("TEE on", { seed: 3 }),
  ];
}
