/** Unified-diff hunks of one file, as GitHub's pull-request file listing gives them (`patch`). */

export interface Hunk {
  /** First and last line of the new (RIGHT) side covered by the hunk, 1-based, inclusive. */
  start: number;
  end: number;
}

export interface ParsedPatch {
  hunks: Hunk[];
  /** New-side lines added by the patch. */
  added: Set<number>;
}

/** Parse a patch line by line. Unknown lines are ignored; a malformed header ends the hunk. */
export function parsePatch(patch: string | undefined | null): ParsedPatch {
  const hunks: Hunk[] = [];
  const added = new Set<number>();
  if (!patch) return { hunks, added };
  let line = 0;
  let current: Hunk | null = null;
  for (const raw of patch.split("\n")) {
    if (raw.startsWith("@@")) {
      const plus = raw.indexOf("+");
      const end = raw.indexOf(" ", plus);
      const spec = plus >= 0 ? raw.slice(plus + 1, end < 0 ? undefined : end) : "";
      const [startText, countText] = spec.split(",");
      const start = Number(startText);
      const count = countText === undefined ? 1 : Number(countText);
      if (plus < 0 || startText === "" || !Number.isInteger(start) || !Number.isInteger(count) || start < 0) {
        current = null;
        continue;
      }
      current = { start, end: start + Math.max(count, 1) - 1 };
      if (count > 0) hunks.push(current);
      line = start;
      continue;
    }
    if (current === null) continue;
    const c = raw[0];
    if (c === "+") {
      added.add(line);
      line++;
    } else if (c === " " || raw === "") {
      line++;
    }
    // "-" lines and "\ No newline at end of file" do not move the new side.
  }
  return { hunks, added };
}

/** The hunk containing every line of [from, to], or null. */
export function hunkOf(hunks: Hunk[], from: number, to = from): Hunk | null {
  for (const h of hunks) if (from >= h.start && to <= h.end) return h;
  return null;
}
