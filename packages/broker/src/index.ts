export { BrokerController, type BrokerControllerOptions } from "./BrokerController.js";
export { startBroker, main } from "./BrokerStartup.js";
export { brokerConfigSpec, localAddress, OBSOLETE_KEYS, type BrokerConfig } from "./config/BrokerConfig.js";
export { TopicConfigManager } from "./topic/TopicConfigManager.js";
export { SubscriptionGroupManager } from "./subscription/SubscriptionGroupManager.js";
export { ConsumerOffsetManager } from "./offset/ConsumerOffsetManager.js";
export { ConsumerManager } from "./client/ConsumerManager.js";
export { decodeBatchBody } from "./processor/SendMessageProcessor.js";
export { EventLoopLag } from "./EventLoopLag.js";
