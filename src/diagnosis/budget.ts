/**
 * The time one piece of untrusted input may take to read: 3 s plus 1 s per MiB (a 1 MiB Python
 * file parses in about 250 ms on one free core, so a busy machine still finishes real input).
 * The Python parser and the project's manifests share it; work past it is given up, said, and
 * never retried. It stops inputs built to be slow, not large real ones.
 */
const BASE_MS = 3000;
const PER_MIB_MS = 1000;

export function budgetMs(chars: number): number {
  return BASE_MS + Math.ceil((chars / (1024 * 1024)) * PER_MIB_MS);
}
