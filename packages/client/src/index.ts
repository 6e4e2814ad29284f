export * from "./MQClientException.js";
export * from "./MQAdminClient.js";
export * from "./message/Message.js";
export * from "./impl/clientId.js";
export * from "./impl/MQClientInstance.js";
export * from "./impl/TopicPublishInfo.js";
export * from "./producer/DefaultMQProducer.js";
export * from "./consumer/DefaultMQPushConsumer.js";
export * from "./consumer/AllocateMessageQueueAveragely.js";
export * from "./consumer/ProcessQueue.js";
export * from "./consumer/DefaultLitePullConsumer.js";
export * from "./consumer/decodeMessages.js";
export { PulledMessage } from "./consumer/PulledMessage.js";
export * from "./producer/TransactionMQProducer.js";
export * from "./consumer/MessageSelector.js";
export * from "./message/MessageUtil.js";
/** Plain-ACL signing (`sessionCredentials` option of every client, or as an `rpcHook`). */
export { AclClientRPCHook, type SessionCredentials } from "@rocketmq-ts/acl";
