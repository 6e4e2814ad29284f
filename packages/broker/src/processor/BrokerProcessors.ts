/**
 * Every request code the broker answers, module by module (Java's BrokerController.registerProcessor).
 * packages/broker/README.md lists the same codes with the file handling each, a table that
 * test/requestCodeTable.test.ts checks against this registration.
 */
import type { BrokerContext } from "../BrokerContext.js";
import { aclProcessors } from "./admin/acl.js";
import { brokerConfigProcessors } from "./admin/brokerConfig.js";
import { connectionProcessors } from "./admin/connection.js";
import { consumeQueueProcessors } from "./admin/consumeQueue.js";
import { consumerOffsetProcessors } from "./admin/consumerOffset.js";
import { consumerRelayProcessors } from "./admin/consumerRelay.js";
import { queueLockProcessors } from "./admin/lock.js";
import { queueOffsetProcessors } from "./admin/queueOffset.js";
import { runtimeInfoProcessors } from "./admin/runtimeInfo.js";
import { statsProcessors } from "./admin/stats.js";
import { brokerStatsProcessors } from "./admin/brokerStats.js";
import { storeMaintenanceProcessors } from "./admin/storeMaintenance.js";
import { subscriptionGroupProcessors } from "./admin/subscriptionGroup.js";
import { topicAdminProcessors } from "./admin/topic.js";
import { timerCheckPointProcessors } from "./admin/timerCheckPoint.js";
import { clientManageProcessors } from "./ClientManageProcessor.js";
import { consumerManageProcessors } from "./ConsumerManageProcessor.js";
import { consumerSendMsgBackProcessors } from "./ConsumerSendMsgBackProcessor.js";
import { endTransactionProcessors } from "./EndTransactionProcessor.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { pullMessageProcessors } from "./PullMessageProcessor.js";
import { queryMessageProcessors } from "./QueryMessageProcessor.js";
import { recallMessageProcessors } from "./RecallMessageProcessor.js";
import { replyMessageProcessors } from "./ReplyMessageProcessor.js";
import { sendMessageProcessors } from "./SendMessageProcessor.js";
import { ackMessageProcessors } from "./AckMessageProcessor.js";
import { changeInvisibleTimeProcessors } from "./ChangeInvisibleTimeProcessor.js";
import { notificationProcessors } from "./NotificationProcessor.js";
import { pollingInfoProcessors } from "./PollingInfoProcessor.js";
import { popMessageProcessors } from "./PopMessageProcessor.js";

type ProcessorModule = (ctx: BrokerContext) => ProcessorTable;

/** Served on the main port and on the VIP port (listenPort − 2). */
const BOTH_PORTS: readonly ProcessorModule[] = [
  sendMessageProcessors,
  consumerSendMsgBackProcessors,
  endTransactionProcessors,
  recallMessageProcessors,
  replyMessageProcessors,
  clientManageProcessors,
  consumerManageProcessors,
  queryMessageProcessors,
  topicAdminProcessors,
  queueOffsetProcessors,
  subscriptionGroupProcessors,
  brokerConfigProcessors,
  runtimeInfoProcessors,
  statsProcessors,
  brokerStatsProcessors,
  connectionProcessors,
  consumerOffsetProcessors,
  queueLockProcessors,
  consumerRelayProcessors,
  storeMaintenanceProcessors,
  consumeQueueProcessors,
  timerCheckPointProcessors,
  aclProcessors,
  ackMessageProcessors,
  changeInvisibleTimeProcessors,
];

/** Pulls (and POP's reads) are served on the main port only, as Java does. */
const MAIN_PORT_ONLY: readonly ProcessorModule[] = [
  pullMessageProcessors,
  popMessageProcessors,
  notificationProcessors,
  pollingInfoProcessors,
];

export interface BrokerProcessors {
  readonly bothPorts: ProcessorTable;
  readonly mainPortOnly: ProcessorTable;
}

/** One table from several modules; a code claimed twice is a wiring mistake, refused at start-up. */
function merge(ctx: BrokerContext, modules: readonly ProcessorModule[]): ProcessorTable {
  const table: ProcessorTable = new Map();
  for (const module of modules) {
    for (const [code, processor] of module(ctx)) {
      if (table.has(code)) throw new Error(`request code ${code} is registered twice (again by ${module.name})`);
      table.set(code, processor);
    }
  }
  return table;
}

export function brokerProcessors(ctx: BrokerContext): BrokerProcessors {
  return { bothPorts: merge(ctx, BOTH_PORTS), mainPortOnly: merge(ctx, MAIN_PORT_ONLY) };
}
