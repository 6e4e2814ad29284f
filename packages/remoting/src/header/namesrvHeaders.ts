/** Headers of the name server's request codes (Java classes in protocol/header/namesrv). */
import { defineHeader, type HeaderOf } from "./defineHeader.js";

export const GetRouteInfoRequestHeader = defineHeader("GetRouteInfoRequestHeader", {
  topic: { type: "string", required: true },
  acceptStandardJsonOnly: { type: "boolean" },
});
export type GetRouteInfoRequestHeader = HeaderOf<typeof GetRouteInfoRequestHeader.fields>;

export const RegisterBrokerRequestHeader = defineHeader("RegisterBrokerRequestHeader", {
  brokerName: { type: "string", required: true },
  brokerAddr: { type: "string", required: true },
  clusterName: { type: "string", required: true },
  haServerAddr: { type: "string", required: true },
  brokerId: { type: "long", required: true },
  compressed: { type: "boolean", default: false },
  bodyCrc32: { type: "int", default: 0 },
  // 5.x
  heartbeatTimeoutMillis: { type: "long" },
  enableActingMaster: { type: "boolean" },
});
export type RegisterBrokerRequestHeader = HeaderOf<typeof RegisterBrokerRequestHeader.fields>;

export const RegisterBrokerResponseHeader = defineHeader("RegisterBrokerResponseHeader", {
  haServerAddr: { type: "string" },
  masterAddr: { type: "string" },
});
export type RegisterBrokerResponseHeader = HeaderOf<typeof RegisterBrokerResponseHeader.fields>;

const brokerIdentity = {
  brokerName: { type: "string", required: true },
  brokerAddr: { type: "string", required: true },
  clusterName: { type: "string", required: true },
  brokerId: { type: "long", required: true },
} as const;

export const UnRegisterBrokerRequestHeader = defineHeader("UnRegisterBrokerRequestHeader", brokerIdentity);
export type UnRegisterBrokerRequestHeader = HeaderOf<typeof UnRegisterBrokerRequestHeader.fields>;

export const QueryDataVersionRequestHeader = defineHeader("QueryDataVersionRequestHeader", brokerIdentity);
export type QueryDataVersionRequestHeader = HeaderOf<typeof QueryDataVersionRequestHeader.fields>;

export const QueryDataVersionResponseHeader = defineHeader("QueryDataVersionResponseHeader", {
  changed: { type: "boolean", required: true },
});
export type QueryDataVersionResponseHeader = HeaderOf<typeof QueryDataVersionResponseHeader.fields>;

export const WipeWritePermOfBrokerRequestHeader = defineHeader("WipeWritePermOfBrokerRequestHeader", {
  brokerName: { type: "string", required: true },
});
export type WipeWritePermOfBrokerRequestHeader = HeaderOf<typeof WipeWritePermOfBrokerRequestHeader.fields>;

export const WipeWritePermOfBrokerResponseHeader = defineHeader("WipeWritePermOfBrokerResponseHeader", {
  wipeTopicCount: { type: "int", required: true },
});
export type WipeWritePermOfBrokerResponseHeader = HeaderOf<typeof WipeWritePermOfBrokerResponseHeader.fields>;

export const AddWritePermOfBrokerRequestHeader = defineHeader("AddWritePermOfBrokerRequestHeader", {
  brokerName: { type: "string", required: true },
});
export type AddWritePermOfBrokerRequestHeader = HeaderOf<typeof AddWritePermOfBrokerRequestHeader.fields>;

export const AddWritePermOfBrokerResponseHeader = defineHeader("AddWritePermOfBrokerResponseHeader", {
  addTopicCount: { type: "int", required: true },
});
export type AddWritePermOfBrokerResponseHeader = HeaderOf<typeof AddWritePermOfBrokerResponseHeader.fields>;

export const DeleteTopicFromNamesrvRequestHeader = defineHeader("DeleteTopicFromNamesrvRequestHeader", {
  topic: { type: "string", required: true },
  clusterName: { type: "string" },
});
export type DeleteTopicFromNamesrvRequestHeader = HeaderOf<typeof DeleteTopicFromNamesrvRequestHeader.fields>;

export const PutKVConfigRequestHeader = defineHeader("PutKVConfigRequestHeader", {
  namespace: { type: "string", required: true },
  key: { type: "string", required: true },
  value: { type: "string", required: true },
});
export type PutKVConfigRequestHeader = HeaderOf<typeof PutKVConfigRequestHeader.fields>;

export const GetKVConfigRequestHeader = defineHeader("GetKVConfigRequestHeader", {
  namespace: { type: "string", required: true },
  key: { type: "string", required: true },
});
export type GetKVConfigRequestHeader = HeaderOf<typeof GetKVConfigRequestHeader.fields>;

export const GetKVConfigResponseHeader = defineHeader("GetKVConfigResponseHeader", {
  value: { type: "string" },
});
export type GetKVConfigResponseHeader = HeaderOf<typeof GetKVConfigResponseHeader.fields>;

export const DeleteKVConfigRequestHeader = defineHeader("DeleteKVConfigRequestHeader", {
  namespace: { type: "string", required: true },
  key: { type: "string", required: true },
});
export type DeleteKVConfigRequestHeader = HeaderOf<typeof DeleteKVConfigRequestHeader.fields>;

export const GetKVListByNamespaceRequestHeader = defineHeader("GetKVListByNamespaceRequestHeader", {
  namespace: { type: "string", required: true },
});
export type GetKVListByNamespaceRequestHeader = HeaderOf<typeof GetKVListByNamespaceRequestHeader.fields>;

export const GetTopicsByClusterRequestHeader = defineHeader("GetTopicsByClusterRequestHeader", {
  cluster: { type: "string", required: true },
});
export type GetTopicsByClusterRequestHeader = HeaderOf<typeof GetTopicsByClusterRequestHeader.fields>;
