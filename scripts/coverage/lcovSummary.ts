/** Line counts of one source file in an lcov report. */
export type FileLines = { readonly file: string; readonly hit: number; readonly found: number };

/** Per-file and total line coverage of an lcov report (`SF:`, `LH:`, `LF:` records). */
export type LcovSummary = { readonly files: readonly FileLines[]; readonly hit: number; readonly found: number };

/** Reads the line totals of each `SF:` … `end_of_record` block. */
export function summarizeLcov(lcov: string): LcovSummary {
  const files: FileLines[] = [];
  let file: string | undefined;
  let hit = 0;
  let found = 0;
  for (const line of lcov.split("\n")) {
    if (line.startsWith("SF:")) [file, hit, found] = [line.slice(3), 0, 0];
    else if (line.startsWith("LH:")) hit = Number(line.slice(3));
    else if (line.startsWith("LF:")) found = Number(line.slice(3));
    else if (line === "end_of_record" && file !== undefined) {
      files.push({ file, hit, found });
      file = undefined;
    }
  }
  return {
    files,
    hit: files.reduce((n, f) => n + f.hit, 0),
    found: files.reduce((n, f) => n + f.found, 0),
  };
}

/** Coverage in percent; an empty report counts as 0 %, so a run that instrumented nothing fails any floor. */
export function percent(hit: number, found: number): number {
  return found === 0 ? 0 : (hit * 100) / found;
}
