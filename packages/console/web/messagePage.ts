/** The Message page: by topic and time range, by key, by id; a message's detail and track. */
import { api, ApiFailure } from "./api.js";
import { fmt, h, table, toast } from "./dom.js";

interface MessageView {
  topic: string;
  msgId: string;
  offsetMsgId: string;
  tags: string | null;
  keys: string | null;
  queueId: number;
  queueOffset: number;
  brokerName: string;
  bornHost: string;
  storeHost: string;
  storeTimestamp: number;
  reconsumeTimes: number;
  properties: Record<string, string>;
  body: string;
}

function failed(err: unknown): void {
  toast(err instanceof ApiFailure ? `Failed: ${err.message}` : `Failed: ${String(err)}`, true);
}

const localInput = (name: string, t: number): HTMLInputElement => {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return h("input", {
    name,
    type: "datetime-local",
    step: "1",
    value: d.toISOString().slice(0, 19),
  }) as HTMLInputElement;
};

function list(result: HTMLElement, detail: HTMLElement, messages: MessageView[]): void {
  result.replaceChildren(
    table(
      ["Message id", "Tags", "Keys", "Broker", "Queue", "Offset", "Stored", ""],
      messages.map((m) => [
        m.msgId,
        m.tags ?? "",
        m.keys ?? "",
        m.brokerName,
        String(m.queueId),
        fmt(m.queueOffset),
        new Date(m.storeTimestamp).toISOString(),
        h("button", { onclick: () => void showMessage(detail, m.topic, m.msgId).catch(failed) }, "Detail"),
      ]),
      new Set([4, 5]),
    ),
  );
}

export async function messagePage(root: HTMLElement): Promise<void> {
  const result = h("div", {});
  const detail = h("div", {});
  const topic = h("input", { name: "topic", required: true, placeholder: "topic" }) as HTMLInputElement;
  const now = Date.now();
  const begin = localInput("begin", now - 3_600_000);
  const end = localInput("end", now + 60_000);
  const key = h("input", { name: "key", placeholder: "key" }) as HTMLInputElement;
  const msgId = h("input", { name: "msgId", placeholder: "message id", size: "40" }) as HTMLInputElement;
  const PAGE_SIZE = 50;
  const byTimePage = async (page: number): Promise<void> => {
    const q = new URLSearchParams({
      topic: topic.value.trim(),
      begin: String(new Date(begin.value).getTime()),
      end: String(new Date(end.value).getTime()),
      page: String(page),
      pageSize: String(PAGE_SIZE),
    });
    const r = await api<{ total: number; truncated: boolean; messages: MessageView[] }>(`/api/messages/by-time?${q}`);
    const pages = Math.max(1, Math.ceil(r.total / PAGE_SIZE));
    list(result, detail, r.messages);
    const go = (n: number) => () => void byTimePage(n).catch(failed);
    result.prepend(
      h(
        "p",
        { class: "muted" },
        `${fmt(r.total)} messages${r.truncated ? " (the newest read; more are stored)" : ""}, newest first`,
      ),
    );
    result.append(
      h(
        "div",
        { class: "pager" },
        h("button", page > 1 ? { onclick: go(page - 1) } : { disabled: true }, "‹ Prev"),
        `page ${page} of ${pages}`,
        h("button", page < pages ? { onclick: go(page + 1) } : { disabled: true }, "Next ›"),
      ),
    );
  };
  const run = (f: () => Promise<void>) => (e: Event) => {
    e.preventDefault();
    if (!topic.value.trim()) return toast("Give a topic", true);
    detail.replaceChildren();
    void f().catch(failed);
  };
  root.replaceChildren(
    h("h2", {}, "Message"),
    h("form", { class: "inline", onsubmit: (e: Event) => e.preventDefault() }, h("label", {}, "Topic", topic)),
    h(
      "form",
      {
        class: "inline",
        "aria-label": "by time",
        onsubmit: run(() => byTimePage(1)),
      },
      h("label", {}, "From", begin),
      h("label", {}, "To", end),
      h("button", { type: "submit" }, "Search by time"),
    ),
    h(
      "form",
      {
        class: "inline",
        "aria-label": "by key",
        onsubmit: run(async () => {
          const r = await api<{ messages: MessageView[] }>(
            `/api/messages/by-key?${new URLSearchParams({ topic: topic.value.trim(), key: key.value })}`,
          );
          list(result, detail, r.messages);
        }),
      },
      h("label", {}, "Key", key),
      h("button", { type: "submit" }, "Search by key"),
    ),
    h(
      "form",
      {
        class: "inline",
        "aria-label": "by id",
        onsubmit: run(async () => {
          const r = await api<{ messages: MessageView[] }>(
            `/api/messages/by-id?${new URLSearchParams({ topic: topic.value.trim(), msgId: msgId.value.trim() })}`,
          );
          list(result, detail, r.messages);
        }),
      },
      h("label", {}, "Message id", msgId),
      h("button", { type: "submit" }, "Search by id"),
    ),
    result,
    detail,
  );
}

async function showMessage(detail: HTMLElement, topic: string, msgId: string): Promise<void> {
  const r = await api<{
    message: MessageView;
    track: { consumerGroup: string; trackType: string; exceptionDesc: string | null }[];
  }>(`/api/messages/detail?${new URLSearchParams({ topic, msgId })}`);
  const m = r.message;
  detail.replaceChildren(
    h("h3", {}, `Message ${m.msgId}`),
    table(
      ["Field", "Value"],
      [
        ["Topic", m.topic],
        ["Offset message id", m.offsetMsgId],
        ["Born host", m.bornHost],
        ["Store host", m.storeHost],
        ["Stored", new Date(m.storeTimestamp).toISOString()],
        ["Reconsume times", String(m.reconsumeTimes)],
        ...Object.entries(m.properties).map(([k, v]) => [`property ${k}`, v]),
      ],
    ),
    h("h4", {}, "Body"),
    h("pre", { class: "body" }, m.body),
    h("h4", {}, "Consumed by"),
    table(
      ["Group", "Track", "", ""],
      r.track.map((t) => [
        t.consumerGroup,
        t.exceptionDesc ? `${t.trackType}: ${t.exceptionDesc}` : t.trackType,
        h(
          "button",
          {
            onclick: () => {
              if (!confirm(`Have a consumer of ${t.consumerGroup} consume ${m.msgId} again?`)) return;
              void api<{ consumeResult: string; remark?: string }>("/api/messages/consume-again", {
                method: "POST",
                body: { topic, group: t.consumerGroup, msgId: m.msgId },
              })
                .then((res) => toast(`${t.consumerGroup}: ${res.consumeResult}${res.remark ? ` (${res.remark})` : ""}`))
                .catch(failed);
            },
          },
          "Consume again",
        ),
        "",
      ]),
    ),
  );
}
