/**
 * The page's input in the URL fragment, compressed (deflate-raw, base64url), so a diagnosis can be
 * shared as a link; the fragment never reaches a server.
 */
import type { PlaygroundState } from "../state.js";

export type { PlaygroundState };

const PREFIX = "v1.";
/** Longer fragments are refused when read (a link is not a place for megabytes). */
const MAX_FRAGMENT = 512 * 1024;

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  // Chunks of 32 KiB through apply (bounded), not a spread of the whole input.
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Decompressed input larger than this is refused (a small link must not inflate to gigabytes). */
const MAX_STATE_BYTES = 4 * 1024 * 1024;

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_STATE_BYTES) {
      await reader.cancel();
      throw new Error("the link holds more than the playground reads");
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function encodeState(state: PlaygroundState): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(state));
  return PREFIX + toBase64Url(await pipe(json, new CompressionStream("deflate-raw")));
}

const FIELDS = ["title", "body", "repo", "path", "source", "requirements", "pyproject"] as const;

/** The state in a fragment (without `#`), or null when it is not one of ours or is damaged. */
export async function decodeState(fragment: string): Promise<PlaygroundState | null> {
  if (!fragment.startsWith(PREFIX) || fragment.length > MAX_FRAGMENT) return null;
  try {
    const bytes = await pipe(
      fromBase64Url(fragment.slice(PREFIX.length)),
      new DecompressionStream("deflate-raw"),
    );
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const state: PlaygroundState = { tab: raw.tab === "code" ? "code" : "issue" };
    for (const k of FIELDS) if (typeof raw[k] === "string") state[k] = raw[k] as string;
    return state;
  } catch {
    return null;
  }
}
