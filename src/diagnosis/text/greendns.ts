/**
 * The `EVENTLET_NO_GREENDNS` setting a report shows (`EVENTLET_NO_GREENDNS=1`, `export
 * EVENTLET_NO_GREENDNS=true`, `os.environ["EVENTLET_NO_GREENDNS"] = "1"`, `EVENTLET_NO_GREENDNS: yes`).
 * eventlet honours only the value `yes` (any case); the lab shows `1` doing nothing.
 */
import type { IssueText } from "./evidence.js";

const KEY = "eventlet_no_greendns";
const SKIP = new Set([" ", "\t", '"', "'", "]", "=", ":", "`"]);

export interface GreendnsSetting {
  /** The value as written (at most 20 characters). */
  value: string;
  /** Whether eventlet honours it. */
  honoured: boolean;
  /** 1-based line in the text. */
  line: number;
}

/** The first assignment of EVENTLET_NO_GREENDNS with a value, or null. Linear in the text. */
export function greendnsSetting(t: IssueText): GreendnsSetting | null {
  for (let i = 0; i < t.lower.length; i++) {
    const l = t.lower[i] ?? "";
    let at = l.indexOf(KEY);
    while (at >= 0) {
      let j = at + KEY.length;
      let sawAssign = false;
      while (j < l.length && SKIP.has(l[j] ?? "")) {
        if (l[j] === "=" || l[j] === ":") sawAssign = true;
        j++;
      }
      let k = j;
      while (k < l.length && k - j < 20 && /[a-z0-9]/.test(l[k] ?? "")) k++;
      if (sawAssign && k > j) {
        const value = (t.lines[i] ?? "").slice(j, k);
        return { value, honoured: value.toLowerCase() === "yes", line: i + 1 };
      }
      at = l.indexOf(KEY, at + KEY.length);
    }
  }
  return null;
}
