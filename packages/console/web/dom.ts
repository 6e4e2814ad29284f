/** Small DOM helpers: elements from tag, attributes and children; text is always set as text. */
type Child = Node | string | number | null | undefined | false;

export function h(
  tag: string,
  attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "object" ? c : String(c));
  }
  return el;
}

export function table(headers: string[], rows: Child[][], numeric: ReadonlySet<number> = new Set()): HTMLElement {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, ...headers.map((t, i) => h("th", numeric.has(i) ? { class: "num" } : {}, t)))),
    h(
      "tbody",
      {},
      ...rows.map((r) => h("tr", {}, ...r.map((c, i) => h("td", numeric.has(i) ? { class: "num" } : {}, c)))),
    ),
  );
}

export function toast(message: string, isError = false): void {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.className = isError ? "error" : "";
  el.hidden = false;
  window.setTimeout(() => (el.hidden = true), isError ? 8000 : 3000);
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
