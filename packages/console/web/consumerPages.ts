/** The Consumer and Producer pages. */
import { api, ApiFailure } from "./api.js";
import { fmt, h, table, toast } from "./dom.js";

interface GroupSummary {
  group: string;
  diff: number | null;
  retryDiff: number | null;
  dlqDiff: number | null;
  consumeTps: number | null;
  online: number;
  msgModel: string;
  consumeType: string;
  versions: string[];
  topics: string[];
}

interface GroupDetail {
  group: string;
  consumeTps: number;
  diff: number;
  progress: {
    topic: string;
    brokerName: string;
    queueId: number;
    brokerOffset: number;
    consumerOffset: number;
    lastTimestamp: number;
  }[];
  connections: { clientId: string; clientAddr: string; language: string; versionDesc: string }[];
  messageModel: string | null;
  consumeType: string | null;
  subscriptions: { topic: string; subString: string }[];
}

function failed(err: unknown): void {
  toast(err instanceof ApiFailure ? `Failed: ${err.message}` : `Failed: ${String(err)}`, true);
}

const num = (n: number | null, digits = 0): string => (n === null ? "-" : fmt(n, digits));

export async function consumerPage(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const page = Number(params.get("page") ?? 1);
  const search = params.get("search") ?? "";
  const list = await api<{ total: number; pageSize: number; collectedAt: number; groups: GroupSummary[] }>(
    `/api/consumers?${new URLSearchParams({ page: String(page), pageSize: "50", search })}`,
  );
  const go = (p: Record<string, string>): void => {
    location.hash = `#/consumer?${new URLSearchParams({ page: String(page), search, ...p })}`;
  };
  const detail = h("div", {});
  const searchBox = h("input", { name: "search", value: search, placeholder: "group contains…" }) as HTMLInputElement;
  const newGroup = h("input", { name: "group", placeholder: "new group name", required: true }) as HTMLInputElement;
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  root.replaceChildren(
    h("h2", {}, "Consumer"),
    h(
      "form",
      {
        class: "inline",
        "aria-label": "create or update group",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const group = newGroup.value.trim();
          if (!confirm(`Create or update subscription group ${group} on every master?`)) return;
          void api<{ brokers: string[] }>("/api/consumers", { method: "POST", body: { group } })
            .then((r) => (toast(`Group ${group} written to ${r.brokers.join(", ")}`), go({})))
            .catch(failed);
        },
      },
      h("label", {}, "Group", newGroup),
      h("button", { type: "submit" }, "Create / update"),
    ),
    h(
      "form",
      { class: "inline", onsubmit: (e: Event) => (e.preventDefault(), go({ page: "1", search: searchBox.value })) },
      h("label", {}, "Search", searchBox),
      h("button", { type: "submit" }, "Filter"),
    ),
    h(
      "p",
      { class: "muted" },
      `${fmt(list.total)} groups, figures as of ${list.collectedAt ? new Date(list.collectedAt).toLocaleTimeString() : "-"}`,
    ),
    table(
      ["Group", "Online", "Model", "Type", "Versions", "TPS", "Diff", "Retry diff", "DLQ diff", "", ""],
      list.groups.map((g) => [
        g.group,
        String(g.online),
        g.msgModel || "-",
        g.consumeType || "-",
        g.versions.join(" ") || "-",
        num(g.consumeTps, 2),
        num(g.diff),
        num(g.retryDiff),
        num(g.dlqDiff),
        h("button", { onclick: () => void showGroup(detail, g.group).catch(failed) }, "Detail"),
        h(
          "button",
          {
            onclick: () => {
              if (!confirm(`Delete subscription group ${g.group} from every master?`)) return;
              void api(`/api/consumers/${encodeURIComponent(g.group)}`, { method: "DELETE" })
                .then(() => (toast(`Deleted ${g.group}`), go({})))
                .catch(failed);
            },
          },
          "Delete",
        ),
      ]),
      new Set([1, 5, 6, 7, 8]),
    ),
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

async function showGroup(detail: HTMLElement, group: string): Promise<void> {
  const d = await api<GroupDetail>(`/api/consumers/${encodeURIComponent(group)}`);
  const topics = [...new Set(d.progress.map((p) => p.topic).filter((t) => !t.startsWith("%")))];
  const topic = h("select", { name: "topic" }, ...topics.map((t) => h("option", { value: t }, t))) as HTMLSelectElement;
  const when = h("input", { name: "time", type: "datetime-local", step: "1", required: true }) as HTMLInputElement;
  detail.replaceChildren(
    h("h3", {}, `Group ${group}`),
    h(
      "p",
      {},
      `TPS ${fmt(d.consumeTps, 2)}, diff ${fmt(d.diff)}, ${d.messageModel ?? "no consumer online"} ${d.consumeType ?? ""}`,
    ),
    h("h4", {}, "Connections"),
    table(
      ["Client id", "Address", "Language", "Version", ""],
      d.connections.map((c) => [
        c.clientId,
        c.clientAddr,
        c.language,
        c.versionDesc,
        h(
          "button",
          {
            onclick: () =>
              void api<unknown>(
                `/api/consumers/${encodeURIComponent(group)}/running-info?${new URLSearchParams({ clientId: c.clientId })}`,
              )
                .then((info) =>
                  detail.append(
                    h("h4", {}, `Running info of ${c.clientId}`),
                    h("pre", { class: "running-info" }, JSON.stringify(info, null, 2)),
                  ),
                )
                .catch(failed),
          },
          "Running info",
        ),
      ]),
    ),
    h("h4", {}, "Subscriptions"),
    table(
      ["Topic", "Expression"],
      d.subscriptions.map((s) => [s.topic, s.subString]),
    ),
    h("h4", {}, "Progress"),
    table(
      ["Topic", "Broker", "Queue", "Broker offset", "Consumer offset", "Diff", "Last consumed"],
      d.progress.map((p) => [
        p.topic,
        p.brokerName,
        String(p.queueId),
        fmt(p.brokerOffset),
        fmt(p.consumerOffset),
        fmt(Math.max(0, p.brokerOffset - p.consumerOffset)),
        p.lastTimestamp ? new Date(p.lastTimestamp).toISOString() : "-",
      ]),
      new Set([2, 3, 4, 5]),
    ),
    h(
      "form",
      {
        class: "inline",
        "aria-label": "reset offset",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const timestamp = new Date(when.value).getTime();
          if (!Number.isFinite(timestamp)) return toast("Pick a time", true);
          if (!confirm(`Reset ${group} on ${topic.value} to ${new Date(timestamp).toISOString()}?`)) return;
          void api<{ offsets: unknown[] }>(`/api/consumers/${encodeURIComponent(group)}/reset-offset`, {
            method: "POST",
            body: { topic: topic.value, timestamp },
          })
            .then(
              (r) => (
                toast(`Offsets of ${r.offsets.length} queues reset`),
                void showGroup(detail, group).catch(failed)
              ),
            )
            .catch(failed);
        },
      },
      h("label", {}, "Topic", topic),
      h("label", {}, "Reset to time", when),
      h("button", { type: "submit" }, "Reset offset"),
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            if (!confirm(`Skip the backlog of ${group} on ${topic.value} (reset to now)?`)) return;
            void api(`/api/consumers/${encodeURIComponent(group)}/reset-offset`, {
              method: "POST",
              body: { topic: topic.value, timestamp: Date.now() },
            })
              .then(() => (toast("Backlog skipped"), void showGroup(detail, group).catch(failed)))
              .catch(failed);
          },
        },
        "Skip backlog",
      ),
    ),
  );
}

export async function producerPage(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const group = params.get("group") ?? "";
  const topic = params.get("topic") ?? "";
  const groupBox = h("input", { name: "group", value: group, required: true }) as HTMLInputElement;
  const topicBox = h("input", { name: "topic", value: topic, required: true }) as HTMLInputElement;
  const result = h("div", {});
  root.replaceChildren(
    h("h2", {}, "Producer"),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e: Event) => {
          e.preventDefault();
          location.hash = `#/producer?${new URLSearchParams({ group: groupBox.value, topic: topicBox.value })}`;
        },
      },
      h("label", {}, "Topic", topicBox),
      h("label", {}, "Producer group", groupBox),
      h("button", { type: "submit" }, "Search"),
    ),
    result,
  );
  if (!group || !topic) return;
  const r = await api<{
    connections: { clientId: string; clientAddr: string; language: string; versionDesc: string }[];
  }>(`/api/producers?${new URLSearchParams({ group, topic })}`);
  result.replaceChildren(
    table(
      ["Client id", "Address", "Language", "Version"],
      r.connections.map((c) => [c.clientId, c.clientAddr, c.language, c.versionDesc]),
    ),
  );
}
