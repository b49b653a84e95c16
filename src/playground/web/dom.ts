/** Small DOM helpers of the playground page. */

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  content?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}

/** Nodes gathered into one fragment (a long body has one row per line: never spread into a call). */
export function fragment(nodes: readonly Node[]): DocumentFragment {
  const f = document.createDocumentFragment();
  for (const n of nodes) f.appendChild(n);
  return f;
}
