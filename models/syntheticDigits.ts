import { createPrng, type Prng } from "../zkml/index.ts";
import type { Dataset } from "./train.ts";

/** Image side in pixels (MNIST layout: 28×28, row-major, values in [0, 1]). */
export const DIGIT_IMAGE_SIDE = 28;
/** Side of the box the glyph is drawn in, centred in the image (as MNIST centres digits in 20×20). */
const GLYPH_BOX = 20;
/** Points per drawn arc: enough that the polyline looks round at 28×28. */
const ARC_POINTS = 14;

type Point = readonly [number, number];
type Stroke = readonly Point[];

function arc(cx: number, cy: number, rx: number, ry: number, fromDeg: number, toDeg: number): Point[] {
  const pts: Point[] = [];
  for (let k = 0; k <= ARC_POINTS; k++) {
    const a = ((fromDeg + ((toDeg - fromDeg) * k) / ARC_POINTS) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return pts;
}

/** Pen strokes of each digit in a unit box (x right, y down). */
const GLYPHS: readonly (readonly Stroke[])[] = [
  [arc(0.5, 0.5, 0.3, 0.42, 0, 360)],
  [
    [
      [0.36, 0.22],
      [0.52, 0.08],
      [0.52, 0.92],
    ],
  ],
  [[...arc(0.5, 0.32, 0.24, 0.24, 200, 380), [0.22, 0.92], [0.8, 0.92]]],
  [arc(0.5, 0.3, 0.21, 0.21, 200, 450), arc(0.5, 0.71, 0.21, 0.21, 270, 520)],
  [
    [
      [0.65, 0.92],
      [0.65, 0.08],
      [0.2, 0.65],
      [0.82, 0.65],
    ],
  ],
  [[[0.75, 0.1], [0.33, 0.1], [0.34, 0.44], ...arc(0.48, 0.66, 0.25, 0.25, 240, 500)]],
  [
    [
      [0.68, 0.1],
      [0.45, 0.25],
      [0.3, 0.5],
      [0.28, 0.68],
    ],
    arc(0.5, 0.68, 0.22, 0.22, 0, 360),
  ],
  [
    [
      [0.22, 0.1],
      [0.8, 0.1],
      [0.4, 0.92],
    ],
  ],
  [arc(0.5, 0.28, 0.19, 0.19, 0, 360), arc(0.5, 0.7, 0.23, 0.23, 0, 360)],
  [
    arc(0.5, 0.32, 0.21, 0.21, 0, 360),
    [
      [0.71, 0.32],
      [0.68, 0.6],
      [0.55, 0.92],
    ],
  ],
];

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return Math.sqrt(ex * ex + ey * ey);
}

/** Random handwriting-like variation: rotation, shear, scale, shift, stroke width, ink, noise. */
function randomAffine(prng: Prng): (p: Point) => Point {
  const rot = prng.uniform(-0.25, 0.25);
  const shear = prng.uniform(-0.3, 0.3);
  const sx = prng.uniform(0.75, 1.1) * GLYPH_BOX;
  const sy = prng.uniform(0.8, 1.1) * GLYPH_BOX;
  const tx = DIGIT_IMAGE_SIDE / 2 + prng.uniform(-2, 2);
  const ty = DIGIT_IMAGE_SIDE / 2 + prng.uniform(-2, 2);
  const c = Math.cos(rot);
  const s = Math.sin(rot);
  return ([x, y]) => {
    const u = (x - 0.5 + shear * (y - 0.5)) * sx;
    const v = (y - 0.5) * sy;
    return [tx + c * u - s * v, ty + s * u + c * v];
  };
}

/** Renders one noisy 28×28 image of `digit` (values in [0, 1], row-major). */
export function renderDigit(digit: number, prng: Prng): number[] {
  const glyph = GLYPHS[digit];
  if (!glyph) throw new Error(`renderDigit: digit must be an integer 0..9, got ${digit}`);
  const transform = randomAffine(prng);
  const strokes = glyph.map((stroke) => stroke.map(transform));
  const halfWidth = prng.uniform(0.6, 1.3);
  const ink = prng.uniform(0.75, 1);
  const noise = prng.uniform(0, 0.12);
  const image = new Array<number>(DIGIT_IMAGE_SIDE * DIGIT_IMAGE_SIDE);
  for (let row = 0; row < DIGIT_IMAGE_SIDE; row++) {
    for (let col = 0; col < DIGIT_IMAGE_SIDE; col++) {
      let d = Number.POSITIVE_INFINITY;
      for (const stroke of strokes) {
        for (let k = 0; k + 1 < stroke.length; k++) {
          const [ax, ay] = stroke[k]!;
          const [bx, by] = stroke[k + 1]!;
          d = Math.min(d, segmentDistance(col + 0.5, row + 0.5, ax, ay, bx, by));
        }
      }
      const stroked = ink * Math.max(0, Math.min(1, 1 - (d - halfWidth)));
      const value = stroked + noise * prng.normal();
      // 3 decimals, like 8-bit pixels: short JSON fixtures, values exact to what was trained on.
      image[row * DIGIT_IMAGE_SIDE + col] = Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000;
    }
  }
  return image;
}

/** A balanced dataset of `count` synthetic digit images (labels cycle 0..9), seeded. */
export function syntheticDigits(count: number, seed: number): Dataset {
  const prng = createPrng(seed);
  const inputs: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < count; k++) {
    const digit = k % 10;
    inputs.push(renderDigit(digit, prng));
    labels.push(digit);
  }
  return { inputs, labels };
}
