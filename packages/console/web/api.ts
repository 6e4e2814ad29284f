/** Calls to the console's JSON API; a failure carries the cluster's code and remark. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    readonly remark: string,
  ) {
    super(code === null ? remark : `CODE: ${code}  DESC: ${remark}`);
  }
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body === undefined ? {} : { "content-type": "application/json" },
    body: init?.body === undefined ? null : JSON.stringify(init.body),
  });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = (json as { error?: { code: number | null; remark: string } } | null)?.error;
    throw new ApiFailure(res.status, err?.code ?? null, err?.remark ?? res.statusText);
  }
  return json as T;
}

export interface BrokerView {
  cluster: string;
  brokerName: string;
  brokerId: number;
  addr: string;
  version: string;
  inTps: number;
  outTps: number;
  msgPutTotalTodayNow: number;
  msgGetTotalTodayNow: number;
  msgPutYesterday: number;
  msgGetYesterday: number;
  commitLogDiskRatio: number;
  runtime: Record<string, string>;
  error?: string;
}

export interface ClusterView {
  clusters: { name: string; brokerNames: string[] }[];
  brokers: BrokerView[];
}

export interface TopicList {
  total: number;
  page: number;
  pageSize: number;
  topics: { topic: string; kind: string }[];
}

export interface QueueStats {
  brokerName: string;
  queueId: number;
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface BrokerSeries {
  broker: string;
  addr: string;
  points: { t: number; inTps: number; outTps: number }[];
}

export interface NamesrvState {
  namesrvAddrs: string[];
  probes: { addr: string; ok: boolean; rtMs?: number; error?: string }[];
}
