/** The pages: each renders into the main element and refreshes on its own buttons. */
import {
  api,
  ApiFailure,
  type BrokerSeries,
  type ClusterView,
  type NamesrvState,
  type QueueStats,
  type TopicList,
} from "./api.js";
import { fmt, h, table, toast } from "./dom.js";

/** Chart.js, loaded by index.html from the chart.js package (UMD build). */
interface ChartLike {
  destroy(): void;
}
declare const Chart: new (canvas: HTMLCanvasElement, config: unknown) => ChartLike;

const charts: ChartLike[] = [];
export function clearCharts(): void {
  while (charts.length) charts.pop()?.destroy();
}

function failed(err: unknown): void {
  toast(err instanceof ApiFailure ? `Failed: ${err.message}` : `Failed: ${String(err)}`, true);
}

interface NamedSeries {
  name: string;
  points: { t: number; value: number }[];
}

function lineChart(title: string, datasets: { label: string; data: { x: number; y: number }[] }[]): HTMLElement {
  const canvas = h("canvas", { "aria-label": title }) as HTMLCanvasElement;
  charts.push(
    new Chart(canvas, {
      type: "line",
      data: { datasets: datasets.map((d) => ({ ...d, pointRadius: 0, tension: 0.2 })) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: "linear", ticks: { callback: (v: number) => new Date(v).toLocaleTimeString() } },
          y: { beginAtZero: true },
        },
      },
    }),
  );
  return h("div", {}, h("h3", {}, title), h("div", { class: "chart" }, canvas));
}

export async function dashboardPage(root: HTMLElement): Promise<void> {
  const [brokers, topics, groups] = await Promise.all([
    api<BrokerSeries[]>("/api/dashboard/broker-tps"),
    api<NamedSeries[]>("/api/dashboard/topic-tps?top=10"),
    api<NamedSeries[]>("/api/dashboard/group-lag?top=10"),
  ]);
  root.replaceChildren(
    h("h2", {}, "Dashboard"),
    h(
      "p",
      { class: "muted" },
      "Sampled every collect interval over the last hour; topics and groups: the ten busiest and the ten furthest behind.",
    ),
  );
  const grid = h("div", { class: "charts" });
  root.append(grid);
  const named = (series: NamedSeries[]) =>
    series.map((s) => ({ label: s.name, data: s.points.map((p) => ({ x: p.t, y: p.value })) }));
  grid.append(
    lineChart(
      "Produce TPS per broker",
      brokers.map((s) => ({ label: s.broker, data: s.points.map((p) => ({ x: p.t, y: p.inTps })) })),
    ),
    lineChart(
      "Consume TPS per broker",
      brokers.map((s) => ({ label: s.broker, data: s.points.map((p) => ({ x: p.t, y: p.outTps })) })),
    ),
    lineChart("Produce TPS per topic", named(topics)),
    lineChart("Backlog (diff) per consumer group", named(groups)),
  );
}

/** A broker's role as operators read it: id 0 is the master (a DLedger group's leader), others slaves. */
function roleOf(b: { brokerId: number; runtime: Record<string, string> }): string {
  return b.runtime["brokerRole"] ?? (b.brokerId === 0 ? "MASTER" : "SLAVE");
}

export async function clusterPage(root: HTMLElement): Promise<void> {
  const view = await api<ClusterView>("/api/cluster");
  root.replaceChildren(h("h2", {}, "Cluster"));
  for (const c of view.clusters) {
    root.append(h("h3", {}, `Cluster ${c.name}`));
    const rows = view.brokers
      .filter((b) => b.cluster === c.name)
      .map((b) => [
        b.brokerName,
        String(b.brokerId),
        roleOf(b),
        b.addr,
        b.error ? h("span", { class: "error" }, b.error) : b.version,
        fmt(b.inTps, 2),
        fmt(b.outTps, 2),
        fmt(b.msgPutYesterday),
        fmt(b.msgGetYesterday),
        fmt(b.msgPutTotalTodayNow - Number(b.runtime["msgPutTotalTodayMorning"] ?? 0)),
        fmt(b.msgGetTotalTodayNow - Number(b.runtime["msgGetTotalTodayMorning"] ?? 0)),
        `${fmt(b.commitLogDiskRatio * 100, 1)} %`,
        h(
          "button",
          {
            onclick: () => {
              const pre = h(
                "pre",
                {},
                Object.entries(b.runtime)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join("\n"),
              );
              root.append(h("h4", {}, `Status of ${b.brokerName}/${b.brokerId} (${b.addr})`), pre);
            },
          },
          "Status",
        ),
        h(
          "button",
          {
            onclick: () =>
              void api<{ config: Record<string, string> }>(
                `/api/cluster/broker-config?addr=${encodeURIComponent(b.addr)}`,
              )
                .then((r) => {
                  const pre = h(
                    "pre",
                    {},
                    Object.entries(r.config)
                      .map(([k, v]) => `${k}=${v}`)
                      .join("\n"),
                  );
                  root.append(h("h4", {}, `Config of ${b.brokerName}/${b.brokerId} (${b.addr})`), pre);
                })
                .catch(failed),
          },
          "Config",
        ),
      ]);
    root.append(
      table(
        [
          "Broker",
          "BID",
          "Role",
          "Address",
          "Version",
          "Produce TPS",
          "Consume TPS",
          "Yesterday produced",
          "Yesterday consumed",
          "Today produced",
          "Today consumed",
          "Disk",
          "",
          "",
        ],
        rows,
        new Set([1, 5, 6, 7, 8, 9, 10, 11]),
      ),
    );
  }
}

export async function topicPage(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const page = Number(params.get("page") ?? 1);
  const search = params.get("search") ?? "";
  const kind = params.get("kind") ?? "NORMAL";
  const q = new URLSearchParams({ page: String(page), pageSize: "50", search, ...(kind === "ALL" ? {} : { kind }) });
  const [list, view] = await Promise.all([api<TopicList>(`/api/topics?${q}`), api<ClusterView>("/api/cluster")]);
  const go = (p: Record<string, string>): void => {
    location.hash = `#/topic?${new URLSearchParams({ page: String(page), search, kind, ...p })}`;
  };
  const searchBox = h("input", { name: "search", value: search, placeholder: "topic contains…" }) as HTMLInputElement;
  const kindSelect = h(
    "select",
    { name: "kind" },
    ...["NORMAL", "RETRY", "DLQ", "SYSTEM", "ALL"].map((k) =>
      h("option", k === kind ? { value: k, selected: true } : { value: k }, k),
    ),
  ) as HTMLSelectElement;
  const filter = h(
    "form",
    {
      class: "inline",
      onsubmit: (e: Event) => (e.preventDefault(), go({ page: "1", search: searchBox.value, kind: kindSelect.value })),
    },
    h("label", {}, "Search", searchBox),
    h("label", {}, "Kind", kindSelect),
    h("button", { type: "submit" }, "Filter"),
  );
  const detail = h("div", {});
  const rows = list.topics.map((t) => [
    t.topic,
    t.kind,
    h("button", { onclick: () => void showStatus(detail, t.topic).catch(failed) }, "Status"),
    h("button", { onclick: () => void showRoute(detail, t.topic).catch(failed) }, "Route"),
    h("button", { onclick: () => sendForm(detail, t.topic) }, "Send"),
    h("button", { onclick: () => void showConsumers(detail, t.topic).catch(failed) }, "Consumers"),
    h(
      "button",
      {
        onclick: () => {
          if (!confirm(`Delete topic ${t.topic} from its brokers and name servers?`)) return;
          void api(`/api/topics/${encodeURIComponent(t.topic)}`, { method: "DELETE" })
            .then(() => (toast(`Deleted ${t.topic}`), go({})))
            .catch(failed);
        },
      },
      "Delete",
    ),
  ]);
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  root.replaceChildren(
    h("h2", {}, "Topic"),
    createForm(view, () => go({})),
    filter,
    h("p", { class: "muted" }, `${fmt(list.total)} topics`),
    table(["Topic", "Kind", "", "", "", "", ""], rows),
    h(
      "div",
      { class: "pager" },
      h("button", page > 1 ? { onclick: () => go({ page: String(page - 1) }) } : { disabled: true }, "‹ Prev"),
      `page ${page} of ${pages}`,
      h("button", page < pages ? { onclick: () => go({ page: String(page + 1) }) } : { disabled: true }, "Next ›"),
    ),
    detail,
  );
}

function createForm(view: ClusterView, done: () => void): HTMLElement {
  const input = (name: string, value: string, type = "text"): HTMLInputElement =>
    h("input", { name, value, type, required: true }) as HTMLInputElement;
  const topic = input("topic", "");
  const read = input("readQueueNums", "8", "number");
  const write = input("writeQueueNums", "8", "number");
  const perm = h(
    "select",
    { name: "perm" },
    h("option", { value: "6", selected: true }, "RW (6)"),
    h("option", { value: "4" }, "R (4)"),
    h("option", { value: "2" }, "W (2)"),
  ) as HTMLSelectElement;
  const target = h(
    "select",
    { name: "target" },
    ...view.clusters.map((c) => h("option", { value: `cluster:${c.name}` }, `cluster ${c.name}`)),
    ...[...new Set(view.brokers.map((b) => b.brokerName))].map((b) =>
      h("option", { value: `broker:${b}` }, `broker ${b}`),
    ),
  ) as HTMLSelectElement;
  return h(
    "form",
    {
      class: "inline",
      "aria-label": "create or update topic",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const [kind, name] = target.value.split(/:(.*)/s) as [string, string];
        const body = {
          topic: topic.value.trim(),
          readQueueNums: Number(read.value),
          writeQueueNums: Number(write.value),
          perm: Number(perm.value),
          ...(kind === "cluster" ? { clusterNames: [name] } : { brokerNames: [name] }),
        };
        if (!confirm(`Create or update topic ${body.topic} on ${kind} ${name}?`)) return;
        void api<{ brokers: string[] }>("/api/topics", { method: "POST", body })
          .then((r) => (toast(`Topic ${body.topic} written to ${r.brokers.join(", ")}`), done()))
          .catch(failed);
      },
    },
    h("label", {}, "Topic", topic),
    h("label", {}, "Read queues", read),
    h("label", {}, "Write queues", write),
    h("label", {}, "Perm", perm),
    h("label", {}, "On", target),
    h("button", { type: "submit" }, "Create / update"),
  );
}

async function showStatus(detail: HTMLElement, topic: string): Promise<void> {
  const r = await api<{ queues: QueueStats[] }>(`/api/topics/${encodeURIComponent(topic)}/status`);
  detail.replaceChildren(
    h("h3", {}, `Status of ${topic}`),
    table(
      ["Broker", "Queue", "Min offset", "Max offset", "Last update"],
      r.queues.map((q) => [
        q.brokerName,
        String(q.queueId),
        fmt(q.minOffset),
        fmt(q.maxOffset),
        q.lastUpdateTimestamp ? new Date(q.lastUpdateTimestamp).toISOString() : "-",
      ]),
      new Set([1, 2, 3]),
    ),
  );
}

function sendForm(detail: HTMLElement, topic: string): void {
  const body = h("input", { name: "body", required: true, size: "40", value: "Hello RocketMQ" }) as HTMLInputElement;
  const tags = h("input", { name: "tags" }) as HTMLInputElement;
  const keys = h("input", { name: "keys" }) as HTMLInputElement;
  detail.replaceChildren(
    h("h3", {}, `Send a test message to ${topic}`),
    h(
      "form",
      {
        class: "inline",
        "aria-label": "send message",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void api<{ sendStatus: string; msgId: string }>(`/api/topics/${encodeURIComponent(topic)}/send`, {
            method: "POST",
            body: { body: body.value, tags: tags.value, keys: keys.value },
          })
            .then((r) => toast(`${r.sendStatus} ${r.msgId}`))
            .catch(failed);
        },
      },
      h("label", {}, "Body", body),
      h("label", {}, "Tags", tags),
      h("label", {}, "Keys", keys),
      h("button", { type: "submit" }, "Send"),
    ),
  );
}

async function showConsumers(detail: HTMLElement, topic: string): Promise<void> {
  const r = await api<{ groups: string[] }>(`/api/topics/${encodeURIComponent(topic)}/consumers`);
  detail.replaceChildren(
    h("h3", {}, `Consumer groups of ${topic}`),
    table(
      ["Group", ""],
      r.groups.map((g) => [g, h("a", { href: `#/consumer?${new URLSearchParams({ search: g })}` }, "open")]),
    ),
  );
}

async function showRoute(detail: HTMLElement, topic: string): Promise<void> {
  const r = await api<unknown>(`/api/topics/${encodeURIComponent(topic)}/route`);
  detail.replaceChildren(h("h3", {}, `Route of ${topic}`), h("pre", {}, JSON.stringify(r, null, 2)));
}

export async function opsPage(root: HTMLElement): Promise<void> {
  const state = await api<NamesrvState>("/api/ops/namesrv");
  const input = h("input", {
    name: "namesrvAddr",
    value: state.namesrvAddrs.join(";"),
    size: "60",
  }) as HTMLInputElement;
  root.replaceChildren(
    h("h2", {}, "Ops"),
    h("h3", {}, "Name servers"),
    table(
      ["Address", "Answers", "Round trip (ms)"],
      state.probes.map((p) => [
        p.addr,
        p.ok ? h("span", { class: "ok" }, "yes") : h("span", { class: "error" }, `no: ${p.error ?? ""}`),
        p.rtMs === undefined ? "-" : String(p.rtMs),
      ]),
      new Set([2]),
    ),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e: Event) => {
          e.preventDefault();
          if (!confirm(`Switch the name server list to ${input.value}?`)) return;
          void api("/api/ops/namesrv", { method: "PUT", body: { namesrvAddr: input.value } })
            .then(() => (toast("Name server list switched"), void opsPage(root).catch(failed)))
            .catch(failed);
        },
      },
      h("label", {}, "Name server list (host:port;host:port)", input),
      h("button", { type: "submit" }, "Switch"),
    ),
  );
}
