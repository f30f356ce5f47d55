import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The folder holding the status page's static files (HTML, its own script and style; no third-party code). */
export const STATUS_PAGE_DIR = join(import.meta.dirname, "statusPage");

/** A static file of the status page, read once at start-up. */
export type StatusAsset = { type: string; body: Buffer };

/** Each URL path of the status page and the file that answers it. */
const FILES: readonly { path: string; file: string; type: string }[] = [
  { path: "/", file: "index.html", type: "text/html; charset=utf-8" },
  { path: "/status.js", file: "status.js", type: "text/javascript; charset=utf-8" },
  { path: "/charts.js", file: "charts.js", type: "text/javascript; charset=utf-8" },
  { path: "/render.js", file: "render.js", type: "text/javascript; charset=utf-8" },
  { path: "/status.css", file: "status.css", type: "text/css; charset=utf-8" },
  { path: "/favicon.svg", file: "favicon.svg", type: "image/svg+xml" },
];

/** Reads the status page's files into memory (a missing file fails start-up, not a page view). */
export function loadStatusAssets(): Map<string, StatusAsset> {
  return new Map(FILES.map((f) => [f.path, { type: f.type, body: readFileSync(join(STATUS_PAGE_DIR, f.file)) }]));
}
