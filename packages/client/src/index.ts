export * from "./MQClientException.js";
export * from "./MQAdminClient.js";
