/**
 * The mqadmin sub-commands, in the order `mqadmin` lists them; each lives in command/<group>/ as in
 * Java's tools/command/** (Apache RocketMQ).
 */
import { clusterListCommand } from "./command/cluster/ClusterListCommand.js";
import { clusterSendMsgRTCommand } from "./command/cluster/ClusterSendMsgRTCommand.js";
import { topicListCommand } from "./command/topic/TopicListCommand.js";
import { topicRouteCommand } from "./command/topic/TopicRouteCommand.js";
import { topicStatusCommand } from "./command/topic/TopicStatusCommand.js";
import { updateTopicCommand } from "./command/topic/UpdateTopicCommand.js";
import { deleteTopicCommand } from "./command/topic/DeleteTopicCommand.js";
import { brokerStatusCommand } from "./command/broker/BrokerStatusCommand.js";
import { getBrokerConfigCommand } from "./command/broker/GetBrokerConfigCommand.js";
import { updateBrokerConfigCommand } from "./command/broker/UpdateBrokerConfigCommand.js";
import { wipeWritePermCommand } from "./command/namesrv/WipeWritePermCommand.js";
import { addWritePermCommand } from "./command/namesrv/AddWritePermCommand.js";
import { getNamesrvConfigCommand } from "./command/namesrv/GetNamesrvConfigCommand.js";
import { updateKvConfigCommand } from "./command/namesrv/UpdateKvConfigCommand.js";
import { deleteKvConfigCommand } from "./command/namesrv/DeleteKvConfigCommand.js";
import { updateSubGroupCommand } from "./command/consumer/UpdateSubGroupCommand.js";
import { deleteSubscriptionGroupCommand } from "./command/consumer/DeleteSubscriptionGroupCommand.js";
import { consumerStatusCommand } from "./command/consumer/ConsumerStatusCommand.js";
import { consumerProgressCommand } from "./command/consumer/ConsumerProgressCommand.js";
import { consumerConnectionCommand } from "./command/connection/ConsumerConnectionCommand.js";
import { producerConnectionCommand } from "./command/connection/ProducerConnectionCommand.js";
import { consumeMessageCommand } from "./command/message/ConsumeMessageCommand.js";
import { queryMsgByKeyCommand } from "./command/message/QueryMsgByKeyCommand.js";
import { queryMsgByIdCommand } from "./command/message/QueryMsgByIdCommand.js";
import { queryMsgByOffsetCommand } from "./command/message/QueryMsgByOffsetCommand.js";
import { queryMsgByUniqueKeyCommand } from "./command/message/QueryMsgByUniqueKeyCommand.js";
import { sendMessageCommand } from "./command/message/SendMessageCommand.js";
import { resetOffsetByTimeCommand } from "./command/offset/ResetOffsetByTimeCommand.js";
import { statsAllCommand } from "./command/stats/StatsAllCommand.js";
import { brokerConsumeStatsCommand } from "./command/broker/BrokerConsumeStatsCommand.js";
import { producerCommand } from "./command/producer/ProducerCommand.js";
import { cleanExpiredCQCommand } from "./command/broker/CleanExpiredCQCommand.js";
import { deleteExpiredCommitLogCommand } from "./command/broker/DeleteExpiredCommitLogCommand.js";
import { cleanUnusedTopicCommand } from "./command/broker/CleanUnusedTopicCommand.js";
import { queryConsumeQueueCommand } from "./command/queue/QueryConsumeQueueCommand.js";
import { updateAccessConfigCommand } from "./command/acl/UpdateAccessConfigCommand.js";
import { deleteAccessConfigCommand } from "./command/acl/DeleteAccessConfigCommand.js";
import { clusterAclConfigVersionListCommand } from "./command/acl/ClusterAclConfigVersionListCommand.js";
import { updateGlobalWhiteAddrCommand } from "./command/acl/UpdateGlobalWhiteAddrCommand.js";
import { exportMetadataCommand } from "./command/export/ExportMetadataCommand.js";
import { exportMetricsCommand } from "./command/export/ExportMetricsCommand.js";
import type { SubCommand } from "./command/SubCommand.js";

export type { CommandContext, Opts, Out, StopRequest, SubCommand } from "./command/SubCommand.js";
export type { MQAdminExt, ToolProducer, ToolProducerConfig } from "./command/MQAdminExt.js";

/** The sub-commands in the order Java 4.9.8's MQAdminStartup registers (and lists) them. */
export const commands: SubCommand[] = [
  updateTopicCommand,
  deleteTopicCommand,
  updateSubGroupCommand,
  deleteSubscriptionGroupCommand,
  updateBrokerConfigCommand,
  topicRouteCommand,
  topicStatusCommand,
  brokerStatusCommand,
  queryMsgByIdCommand,
  queryMsgByKeyCommand,
  queryMsgByUniqueKeyCommand,
  queryMsgByOffsetCommand,
  brokerConsumeStatsCommand,
  producerConnectionCommand,
  consumerConnectionCommand,
  consumerProgressCommand,
  consumerStatusCommand,
  producerCommand,
  clusterListCommand,
  topicListCommand,
  updateKvConfigCommand,
  deleteKvConfigCommand,
  wipeWritePermCommand,
  addWritePermCommand,
  resetOffsetByTimeCommand,
  cleanExpiredCQCommand,
  deleteExpiredCommitLogCommand,
  cleanUnusedTopicCommand,
  statsAllCommand,
  clusterSendMsgRTCommand,
  getNamesrvConfigCommand,
  getBrokerConfigCommand,
  queryConsumeQueueCommand,
  sendMessageCommand,
  consumeMessageCommand,
  updateAccessConfigCommand,
  deleteAccessConfigCommand,
  clusterAclConfigVersionListCommand,
  updateGlobalWhiteAddrCommand,
  exportMetadataCommand,
  exportMetricsCommand,
];
