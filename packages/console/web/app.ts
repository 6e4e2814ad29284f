/** The console's front end: a hash router over the pages. */
import { api, type NamesrvState } from "./api.js";
import { h, toast } from "./dom.js";
import { consumerPage, producerPage } from "./consumerPages.js";
import { dlqPage } from "./dlqPage.js";
import { messagePage } from "./messagePage.js";
import { clearCharts, clusterPage, dashboardPage, opsPage, topicPage } from "./pages.js";

type Page = (root: HTMLElement, params: URLSearchParams) => Promise<void>;
const PAGES: Record<string, Page> = {
  "": dashboardPage,
  cluster: clusterPage,
  topic: topicPage,
  consumer: consumerPage,
  producer: producerPage,
  message: messagePage,
  dlq: dlqPage,
  ops: opsPage,
};

async function route(): Promise<void> {
  const root = document.getElementById("page");
  if (!root) return;
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const page = PAGES[path] ?? dashboardPage;
  for (const a of document.querySelectorAll("header nav a")) {
    a.classList.toggle("active", a.getAttribute("href") === `#/${path}`);
  }
  clearCharts();
  root.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    await page(root, new URLSearchParams(query));
    root.dataset["loaded"] = path || "dashboard";
  } catch (err) {
    root.replaceChildren(
      h("p", { class: "error" }, `Failed to load: ${err instanceof Error ? err.message : String(err)}`),
    );
    toast(String(err), true);
  }
}

window.addEventListener("hashchange", () => void route());
void route();
void api<NamesrvState>("/api/ops/namesrv")
  .then((s) => {
    const el = document.getElementById("namesrv");
    if (el) el.textContent = `name servers: ${s.namesrvAddrs.join(";")}`;
  })
  .catch(() => undefined);
