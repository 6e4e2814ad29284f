/** The DLQ page: each group's dead letters (%DLQ%<group>), their messages, and resending one to the group. */
import { api, ApiFailure, type TopicList } from "./api.js";
import { fmt, h, table, toast } from "./dom.js";

interface MessageRow {
  msgId: string;
  topic: string;
  storeTimestamp: number;
  reconsumeTimes: number;
  properties: Record<string, string>;
  body: string;
}

function failed(err: unknown): void {
  toast(err instanceof ApiFailure ? `Failed: ${err.message}` : `Failed: ${String(err)}`, true);
}

export async function dlqPage(root: HTMLElement): Promise<void> {
  const list = await api<TopicList>("/api/topics?kind=DLQ&pageSize=1000");
  const detail = h("div", {});
  root.replaceChildren(
    h("h2", {}, "DLQ"),
    h("p", { class: "muted" }, "Messages a consumer group gave up on after its retries, per group."),
    table(
      ["Group", "Dead-letter topic", ""],
      list.topics.map((t) => {
        const group = t.topic.slice("%DLQ%".length);
        return [
          group,
          t.topic,
          h("button", { onclick: () => void showDlq(detail, group, t.topic).catch(failed) }, "Messages"),
        ];
      }),
    ),
    detail,
  );
}

async function showDlq(detail: HTMLElement, group: string, topic: string): Promise<void> {
  const q = new URLSearchParams({ topic, begin: "0", end: String(Date.now() + 60_000), pageSize: "100" });
  const r = await api<{ total: number; truncated: boolean; messages: MessageRow[] }>(`/api/messages/by-time?${q}`);
  detail.replaceChildren(
    h("h3", {}, `Dead letters of ${group}`),
    h("p", { class: "muted" }, `${fmt(r.total)} messages${r.truncated ? " (the newest read)" : ""}`),
    table(
      ["Message id", "Original topic", "Stored", "Reconsume times", "Body", ""],
      r.messages.map((m) => [
        m.msgId,
        m.properties["RETRY_TOPIC"] ?? m.properties["REAL_TOPIC"] ?? "",
        new Date(m.storeTimestamp).toISOString(),
        String(m.reconsumeTimes),
        m.body.length > 80 ? `${m.body.slice(0, 80)}…` : m.body,
        h(
          "button",
          {
            onclick: () => {
              if (!confirm(`Resend ${m.msgId} to a consumer of ${group}?`)) return;
              void api<{ consumeResult: string; remark?: string }>("/api/messages/consume-again", {
                method: "POST",
                body: { topic, group, msgId: m.msgId },
              })
                .then((res) => toast(`${group}: ${res.consumeResult}${res.remark ? ` (${res.remark})` : ""}`))
                .catch(failed);
            },
          },
          "Resend",
        ),
      ]),
      new Set([3]),
    ),
  );
}
