/** Words of issue prose shared by several rules (lowercase, matched at a word start). */

/** Words that turn a co-mention of two libraries into a problem report. */
export const PROBLEM_TERMS = [
  "break",
  "broke",
  "mess",
  "incompatib",
  "not compatible",
  "not natively compatible",
  "prevent",
  "hang",
  "stuck",
  "freez",
  "fail",
  "error",
  "doesn't work",
  "can't work",
  "cannot work",
  "won't work",
  "does not work",
  "not work",
  "conflict",
  "defeat",
  "block",
  "problem",
  "cause issue",
  "causes issue",
  "not seem to handle",
  "does not handle",
  "doesn't handle",
  "deadlock",
];

/** Ways a report names gevent or its patching. */
export const GEVENT_WORDS = [
  "gevent",
  "monkey patching",
  "monkey-patching",
  "monkeypatch",
  "monkey patch",
  "monkey-patch",
  "patch_all",
  "greenlet",
];

/** Words describing a process that stops cooperating (no error, just waiting). */
export const BLOCKING_WORDS = [
  "block",
  "cooperat",
  "concurren",
  "serializ",
  "serialis",
  "one at a time",
  "not natively compatible",
  "not compatible",
  "incompatib",
  "freez",
  "hang",
  "stall",
];
