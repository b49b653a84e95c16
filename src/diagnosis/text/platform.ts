/** The reporter's platform, weighed from traceback paths and platform words. */
import type { Platform } from "../types.js";
import { hasWordPrefix } from "./lines.js";
import type { Traceback } from "./traceback.js";

export interface PlatformFact {
  platform: Platform;
  /** The hint that decided it (our words). */
  because: string;
}

export interface Hint {
  platform: Platform;
  weight: number;
  because: string;
}

const PLATFORM_WORDS: Array<[string, Platform, number, string]> = [
  ["darwin", "macos", 4, "darwin"],
  ["macos", "macos", 3, "macOS"],
  ["mac os", "macos", 3, "macOS"],
  ["osx", "macos", 2, "OSX"],
  ["os x", "macos", 2, "OS X"],
  ["apple silicon", "macos", 3, "Apple silicon"],
  ["/users/", "macos", 2, "a /Users/ path"],
  ["/opt/homebrew", "macos", 3, "Homebrew paths"],
  [".dylib", "macos", 3, "a .dylib"],
  ["freebsd", "freebsd", 5, "FreeBSD"],
  ["linux", "linux", 2, "Linux"],
  ["ubuntu", "linux", 2, "Ubuntu"],
  ["debian", "linux", 2, "Debian"],
  ["centos", "linux", 2, "CentOS"],
  ["heroku", "linux", 2, "Heroku"],
  ["docker", "linux", 1, "Docker"],
  ["windows", "windows", 2, "Windows"],
  ["win32", "windows", 2, "win32"],
  ["c:\\", "windows", 3, "a C:\\ path"],
  ["android", "android", 3, "Android"],
  ["termux", "android", 4, "Termux"],
];
/** Lines that can hold a platform word (one literal alternation; details per word after). */
const PLATFORM_LINE = new RegExp(
  [...PLATFORM_WORDS.map(([w]) => w), "mac"].map((w) => w.replace(/[\\.^$|?*+()[\]{}/]/g, "\\$&")).join("|"),
);

/** "not on Windows", "no docker": a platform named to rule it out. */
function negated(l: string, w: string): boolean {
  const at = l.indexOf(w);
  const before = l.slice(Math.max(0, at - 8), at);
  return before.includes("not ") || before.includes("no ") || before.includes("non-");
}

const COMPOSE_PREFIX = /^[a-z0-9_.-]{1,60}[_-]\d{1,3} {1,40}\| /;

export function platformHints(lower: readonly string[], tracebacks: readonly Traceback[]): Hint[] {
  const hints: Hint[] = [];
  for (const tb of tracebacks) {
    // One hint per traceback: the first frame whose path says something.
    for (const f of tb.frames) {
      const p = f.path.toLowerCase();
      let h: Hint | null = null;
      if (
        p.startsWith("/users/") ||
        p.includes("/opt/homebrew/") ||
        p.includes("/library/frameworks/python.framework")
      )
        h = { platform: "macos", weight: 5, because: "macOS paths in the traceback" };
      // `/home`, `/srv`, `/opt`, `/app`, `/usr/local` exist on every Unix: they prove nothing.
      // A distribution's own Python (`/usr/lib/python3...`) is Linux.
      else if (p.startsWith("/usr/lib/python3") || p.startsWith("/usr/lib64/python3"))
        h = { platform: "linux", weight: 2, because: "a Linux distribution's Python in the traceback" };
      else if (/^[a-z]:[\\/]/.test(p) || p.includes("\\lib\\site-packages\\"))
        h = { platform: "windows", weight: 5, because: "Windows paths in the traceback" };
      else if (p.includes("/data/data/com.termux"))
        h = { platform: "android", weight: 5, because: "Termux paths in the traceback" };
      if (h !== null) {
        hints.push(h);
        break;
      }
    }
  }

  // Each word counts once, however often it is repeated.
  const seen = new Set<string>();
  const once = (key: string, h: Hint) => {
    if (seen.has(key)) return;
    seen.add(key);
    hints.push(h);
  };
  for (const l of lower) {
    // docker compose logs (`app_1  | ...`): the process runs in a Linux container.
    if (l.includes("| ") && COMPOSE_PREFIX.test(l))
      once("compose", { platform: "linux", weight: 4, because: "docker compose logs (a Linux container)" });
    if (!PLATFORM_LINE.test(l)) continue;
    for (const [w, platform, weight, because] of PLATFORM_WORDS) {
      // Words and paths are matched at a word start (`apps/users/` is not `/Users/`); a suffix
      // such as `.dylib` anywhere.
      const hit = (w.startsWith(".") ? l.includes(w) : hasWordPrefix(l, w)) && !negated(l, w);
      if (hit) once(w, { platform, weight, because });
    }
    // "M1 mac", "Mac M2": Apple silicon chip names next to "mac".
    if (
      l.includes("mac") &&
      (hasWordPrefix(l, "m1") || hasWordPrefix(l, "m2") || hasWordPrefix(l, "m3") || hasWordPrefix(l, "m4"))
    )
      once("m-series", { platform: "macos", weight: 3, because: "an Apple M-series Mac" });
  }
  return hints;
}

export function decidePlatform(hints: Hint[]): PlatformFact {
  const score = new Map<Platform, { w: number; because: string }>();
  for (const h of hints) {
    const s = score.get(h.platform);
    if (s === undefined) score.set(h.platform, { w: h.weight, because: h.because });
    else s.w += h.weight;
  }
  let best: PlatformFact = { platform: "unknown", because: "no platform stated" };
  let bestW = 0;
  for (const [platform, s] of score) {
    if (s.w > bestW) {
      best = { platform, because: s.because };
      bestW = s.w;
    }
  }
  return best;
}

export function platformName(p: Platform): string {
  switch (p) {
    case "macos":
      return "macOS";
    case "linux":
      return "Linux";
    case "windows":
      return "Windows";
    case "freebsd":
      return "FreeBSD";
    case "android":
      return "Android";
    default:
      return "your platform";
  }
}
