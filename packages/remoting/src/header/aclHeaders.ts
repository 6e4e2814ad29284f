/**
 * Headers of 4.9.8's plain-ACL admin codes (UPDATE_AND_CREATE_ACL_CONFIG 50, DELETE_ACL_CONFIG 51,
 * GET_BROKER_CLUSTER_ACL_INFO 52, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG 53). Lists travel as one
 * comma-separated string (`topicPerms: "topicA=DENY,topicD=SUB"`), as in Java.
 */
import { defineHeader, type HeaderOf } from "./defineHeader.js";

export const CreateAccessConfigRequestHeader = defineHeader("CreateAccessConfigRequestHeader", {
  accessKey: { type: "string", required: true },
  secretKey: { type: "string" },
  whiteRemoteAddress: { type: "string" },
  admin: { type: "boolean", default: false },
  defaultTopicPerm: { type: "string" },
  defaultGroupPerm: { type: "string" },
  topicPerms: { type: "string" },
  groupPerms: { type: "string" },
});
export type CreateAccessConfigRequestHeader = HeaderOf<typeof CreateAccessConfigRequestHeader.fields>;

export const DeleteAccessConfigRequestHeader = defineHeader("DeleteAccessConfigRequestHeader", {
  accessKey: { type: "string", required: true },
});
export type DeleteAccessConfigRequestHeader = HeaderOf<typeof DeleteAccessConfigRequestHeader.fields>;

/**
 * Java marks `aclFileFullPath` @CFNotNull, so a 4.9.8 broker refuses `mqadmin updateGlobalWhiteAddr`
 * without `-p` ("the custom field <aclFileFullPath> is null"). Here it is optional and means the
 * default file, conf/plain_acl.yml, as the command's help suggests (docs/architecture.md,
 * "Differences from Java").
 */
export const UpdateGlobalWhiteAddrsConfigRequestHeader = defineHeader("UpdateGlobalWhiteAddrsConfigRequestHeader", {
  globalWhiteAddrs: { type: "string", required: true },
  aclFileFullPath: { type: "string" },
});
export type UpdateGlobalWhiteAddrsConfigRequestHeader = HeaderOf<
  typeof UpdateGlobalWhiteAddrsConfigRequestHeader.fields
>;

/** The answer of GET_BROKER_CLUSTER_ACL_INFO: `version` (DataVersion JSON of plain_acl.yml), `allAclFileVersion` (file → DataVersion JSON). */
export const GetBrokerAclConfigResponseHeader = defineHeader("GetBrokerAclConfigResponseHeader", {
  version: { type: "string", required: true },
  allAclFileVersion: { type: "string" },
  brokerName: { type: "string", required: true },
  brokerAddr: { type: "string", required: true },
  clusterName: { type: "string", required: true },
});
export type GetBrokerAclConfigResponseHeader = HeaderOf<typeof GetBrokerAclConfigResponseHeader.fields>;
