/**
 * What the sub-commands need from an admin client and a producer (Java's MQAdminExt and the
 * DefaultMQProducer the sending commands start). bin/mqadmin passes the real MQAdminClient and
 * DefaultMQProducer; tests pass in-memory stand-ins.
 */
import type { DefaultMQProducer, MQAdminClient, SessionCredentials } from "@rocketmq-ts/client";

export type MQAdminExt = Pick<
  MQAdminClient,
  | "namesrvAddrList"
  | "call"
  | "examineBrokerClusterInfo"
  | "examineTopicRouteInfo"
  | "fetchAllTopicList"
  | "fetchBrokerRuntimeStats"
  | "examineTopicStats"
  | "examineConsumeStats"
  | "examineConsumerConnectionInfo"
  | "getConsumerRunningInfo"
  | "consumeMessageDirectly"
  | "examineProducerConnectionInfo"
  | "createAndUpdateTopicConfig"
  | "deleteTopicInBroker"
  | "deleteTopicInNameServer"
  | "getBrokerConfig"
  | "updateBrokerConfig"
  | "operateWritePerm"
  | "getNameServerConfig"
  | "putKVConfig"
  | "deleteKVConfig"
  | "createAndUpdateSubscriptionGroupConfig"
  | "queryMessageByKey"
  | "viewMessage"
  | "viewMessageByUniqKey"
  | "pull"
  | "pullOne"
  | "queueOffset"
  | "fetchSubscribeMessageQueues"
  | "messageTrackDetail"
  | "resetOffsetByTimestamp"
  | "deleteSubscriptionGroup"
  | "queryTopicConsumeByWho"
  | "viewBrokerStatsData"
  | "fetchConsumeStatsInBroker"
  | "getUserTopicConfig"
  | "getUserSubscriptionGroup"
  | "cleanExpiredConsumerQueue"
  | "deleteExpiredCommitLog"
  | "cleanUnusedTopic"
  | "queryConsumeQueue"
  | "getAllProducerInfo"
  | "createAndUpdatePlainAccessConfig"
  | "deletePlainAccessConfig"
  | "updateGlobalWhiteAddrConfig"
  | "examineBrokerClusterAclVersionInfo"
  | "shutdown"
>;

/** The producer sendMessage and clusterRT start for their sends and shut down afterwards. */
export type ToolProducer = Pick<DefaultMQProducer, "start" | "shutdown" | "send" | "sendToQueue">;

export interface ToolProducerConfig {
  namesrvAddr: string;
  producerGroup: string;
  /** What mqadmin signs with (conf/tools.yml or --ak/--sk), as the admin client. */
  sessionCredentials?: SessionCredentials;
}
