/** ali-ons (CommonJS, no typings) as the tests use it: the part we call, the HTTP stub, a clean close. */
import { createRequire } from "node:module";
import type { RemotingClient } from "@rocketmq-ts/remoting";
import { createTypedTopic, type LocalCluster } from "./cluster.js";

const require = createRequire(import.meta.url);

export interface AliMessage {
  body: Buffer;
  tags: string;
  keys: string[];
  msgId: string;
  reconsumeTimes: number;
  topic: string;
  storeTimestamp: number;
  bornTimestamp: number;
  properties: Record<string, string>;
}
export interface AliSendResult {
  sendStatus: string;
  msgId: string;
  messageQueue: { queueId: number };
}
export interface AliProducer {
  ready(): Promise<void>;
  send(msg: unknown): Promise<AliSendResult>;
  close(): Promise<void>;
}
export interface AliConsumer {
  ready(): Promise<void>;
  /** A tag expression, or `{ expressionType: "SQL92", subString }`. */
  subscribe(
    topic: string,
    expr: string | { expressionType: string; subString: string },
    handler: (msg: AliMessage) => Promise<unknown>,
  ): void;
  close(): Promise<void>;
  on(event: string, fn: (err: Error) => void): void;
}

export const ons = require("ali-ons") as {
  Producer: new (opts: Record<string, unknown>) => AliProducer;
  Consumer: (new (opts: Record<string, unknown>) => AliConsumer) & { ACTION_RETRY: symbol };
  Message: new (topic: string, tags: string, body: string) => { delayTimeLevel: number };
};

/** The name server is given directly, so ali-ons never looks up an address server over HTTP. */
export const httpclient = { request: () => Promise.reject(new Error("no HTTP in tests")) };

/**
 * Close a consumer. ali-ons rejects a long-poll pull still parked on the broker with SocketCloseError
 * when it closes its own socket; that is the client shutting down, not a failure.
 */
export async function closeAliConsumer(c: AliConsumer): Promise<void> {
  const ignore = (err: unknown): void => {
    if ((err as Error)?.name !== "SocketCloseError") throw err;
  };
  process.on("unhandledRejection", ignore);
  try {
    await c.close().catch(ignore);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    process.off("unhandledRejection", ignore);
  }
}

/** Create `topic` on the cluster's broker and wait until the name server routes it. */
export async function createAliTopic(
  admin: RemotingClient,
  cluster: LocalCluster,
  topic: string,
  queues = 4,
): Promise<void> {
  await createTypedTopic(admin, cluster, topic, undefined, queues);
}

/** An ali-ons producer on the name server `nameSrv`. */
export function aliProducer(nameSrv: string, group: string): AliProducer {
  return new ons.Producer({
    httpclient,
    producerGroup: group,
    nameSrv,
    clientIP: "127.0.0.1",
    accessKeyId: "k",
    accessKeySecret: "s",
  });
}

/** An ali-ons consumer from the first offset on the name server `nameSrv`; errors are the test's to see in its results. */
export function aliConsumer(nameSrv: string, group: string, extra: Record<string, unknown> = {}): AliConsumer {
  const c = new ons.Consumer({
    httpclient,
    consumerGroup: group,
    nameSrv,
    clientIP: "127.0.0.1",
    accessKeyId: "k",
    accessKeySecret: "s",
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    ...extra,
  });
  c.on("error", () => undefined);
  return c;
}
