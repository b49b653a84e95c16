/**
 * The App's logger: JSON lines (pino). An error is logged as what it says — type, message, HTTP
 * status, the request it made, the delivery it belongs to with the payload's size — never with
 * the payload, a request body or a response body (an issue body can be 25 MB of a stranger's text).
 */
import pino, { type DestinationStream, type Logger } from "pino";

const MAX_MESSAGE = 500;
const MAX_STACK = 2000;
const MAX_NESTED = 5;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v !== null && typeof v === "object" ? (v as Obj) : null);

/** A delivery as a log line shows it: its id, event, action and the payload's size. */
export function eventFields(event: unknown): Obj | undefined {
  const e = obj(event);
  if (!e) return undefined;
  let bytes: number | undefined;
  try {
    bytes = JSON.stringify(e.payload ?? null).length;
  } catch {
    bytes = undefined;
  }
  const action = obj(e.payload)?.action;
  return {
    id: typeof e.id === "string" ? e.id : undefined,
    name: typeof e.name === "string" ? e.name : undefined,
    ...(typeof action === "string" ? { action } : {}),
    ...(bytes !== undefined ? { payloadBytes: bytes } : {}),
  };
}

/** An error as a log line shows it (see the module comment). */
export function errorFields(error: unknown, depth = 0): Obj {
  const e = obj(error);
  if (!e) return { message: String(error).slice(0, MAX_MESSAGE) };
  const request = obj(e.request);
  const out: Obj = {
    type: error instanceof Error ? error.constructor.name : "object",
    message: String(e.message ?? "").slice(0, MAX_MESSAGE),
  };
  if (typeof e.status === "number") out.status = e.status;
  if (typeof e.code === "string") out.code = e.code;
  if (request && typeof request.url === "string")
    out.request = { method: request.method, url: String(request.url).slice(0, 300) };
  if (e.event !== undefined) out.event = eventFields(e.event);
  if (typeof e.stack === "string") out.stack = e.stack.slice(0, MAX_STACK);
  if (Array.isArray(e.errors) && depth === 0)
    out.errors = e.errors.slice(0, MAX_NESTED).map((x) => errorFields(x, 1));
  return out;
}

/** The process's logger (and Probot's, which logs handler failures through it). */
export function createLog(env: NodeJS.ProcessEnv, base: Obj, destination?: DestinationStream): Logger {
  const options = {
    level: env.LOG_LEVEL ?? "info",
    base,
    serializers: { err: errorFields, error: errorFields, event: eventFields, payload: () => "[omitted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
