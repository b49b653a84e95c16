/**
 * Desired state against existing state, in the manner of probot/settings' Diffable: what to
 * create, what to update, what to delete, and what to leave alone. Pure; the callers apply the
 * plan. It serves the sticky issue comment (one desired body) and review comments (one per
 * finding fingerprint).
 */

export interface Plan<D, E> {
  create: D[];
  update: { want: D; have: E }[];
  remove: E[];
  /** Existing items left as they are (already right, or protected). */
  keep: E[];
}

export interface ReconcileOptions<D, E> {
  desiredKey(d: D): string;
  existingKey(e: E): string;
  /** True when `have` already says what `want` says (no update needed). */
  same(want: D, have: E): boolean;
  /** An existing item nobody wants any more that must stay (a human replied to it). */
  protect?(e: E): boolean;
}

/**
 * `existing` in precedence order (oldest first): the first item of a key is the one kept or
 * updated; later items with the same key are duplicates and are removed, unless protected.
 */
export function reconcile<D, E>(
  desired: readonly D[],
  existing: readonly E[],
  o: ReconcileOptions<D, E>,
): Plan<D, E> {
  const plan: Plan<D, E> = { create: [], update: [], remove: [], keep: [] };
  const first = new Map<string, E>();
  for (const e of existing) {
    const k = o.existingKey(e);
    if (!first.has(k)) first.set(k, e);
    else if (o.protect?.(e)) plan.keep.push(e);
    else plan.remove.push(e);
  }
  const wanted = new Set<string>();
  for (const d of desired) {
    const k = o.desiredKey(d);
    if (wanted.has(k)) continue;
    wanted.add(k);
    const have = first.get(k);
    if (have === undefined) plan.create.push(d);
    else if (o.same(d, have)) plan.keep.push(have);
    else plan.update.push({ want: d, have });
  }
  for (const [k, e] of first) {
    if (wanted.has(k)) continue;
    if (o.protect?.(e)) plan.keep.push(e);
    else plan.remove.push(e);
  }
  return plan;
}
