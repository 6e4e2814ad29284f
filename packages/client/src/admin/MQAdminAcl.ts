/**
 * The plain-ACL admin requests of 4.9.8 (DefaultMQAdminExt createAndUpdatePlainAccessConfig,
 * deletePlainAccessConfig, updateGlobalWhiteAddrConfig, examineBrokerClusterAclVersionInfo and
 * MQClientAPIImpl's requests behind them): an account's fields travel as header fields, its
 * topicPerms / groupPerms joined with "," into one field each.
 */
import type { PlainAccessConfig } from "@rocketmq-ts/acl";
import { decodeDataVersion, type DataVersion } from "@rocketmq-ts/common";
import {
  CreateAccessConfigRequestHeader,
  DeleteAccessConfigRequestHeader,
  encodeHeader,
  GetBrokerAclConfigResponseHeader,
  javaHashMapOrder,
  javaStringHashCode,
  jsonEntries,
  parseFastjson,
  RequestCode,
  UpdateGlobalWhiteAddrsConfigRequestHeader,
  type ExtFields,
  type JsonValue,
} from "@rocketmq-ts/remoting";
import { decodeHeaderLeniently } from "../impl/headers.js";
import { createRequest } from "../impl/requests.js";
import type { MQAdminClient } from "../MQAdminClient.js";

/** Java's ClusterAclVersionInfo: what GET_BROKER_CLUSTER_ACL_INFO answers about one broker. */
export interface ClusterAclVersionInfo {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  /** DataVersion of the broker's conf/plain_acl.yml (the `version` field) */
  aclConfigDataVersion: DataVersion;
  /** Every ACL file of the broker (full path) with its DataVersion, in the order Java's tool lists them */
  allAclConfigDataVersion: Map<string, DataVersion>;
}

/** Java's `UtilAll.join(list, ",")`: null stays null (the field is left out), [] is "". */
function joinPerms(perms: readonly string[] | undefined): string | undefined {
  return perms === undefined ? undefined : perms.join(",");
}

export function createAccessConfigRequestFields(config: PlainAccessConfig): ExtFields {
  return encodeHeader(CreateAccessConfigRequestHeader, {
    accessKey: config.accessKey ?? "",
    secretKey: config.secretKey,
    whiteRemoteAddress: config.whiteRemoteAddress ?? undefined,
    admin: config.admin,
    defaultTopicPerm: config.defaultTopicPerm,
    defaultGroupPerm: config.defaultGroupPerm,
    topicPerms: joinPerms(config.topicPerms),
    groupPerms: joinPerms(config.groupPerms),
  });
}

/**
 * The files of `allAclFileVersion` in the order Java's HashMap hands them to mqadmin: fastjson
 * parses the JSON object into a default HashMap, whose entries are copied into
 * `new HashMap<>(size, 1)` (a table of the next power of two at or above size, never resized).
 */
function javaAclVersionOrder(keys: readonly string[]): string[] {
  const bucketOrder = (input: readonly string[], capacity: number): string[] => {
    const mask = capacity - 1;
    return input
      .map((key, index) => {
        const h = javaStringHashCode(key);
        return { key, index, bucket: (h ^ (h >>> 16)) & mask };
      })
      .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
      .map((e) => e.key);
  };
  let capacity = 1;
  while (capacity < keys.length) capacity *= 2;
  return bucketOrder(javaHashMapOrder(keys), capacity);
}

/** The answer's header as Java's getBrokerClusterAclInfo reads it. */
export function clusterAclVersionInfoOf(ext: ExtFields | null): ClusterAclVersionInfo {
  const header = decodeHeaderLeniently(GetBrokerAclConfigResponseHeader, ext);
  const version = header.version ? parseFastjson(header.version) : {};
  const all = header.allAclFileVersion ? parseFastjson(header.allAclFileVersion) : {};
  const files = new Map<string, JsonValue>(jsonEntries(all).map(([k, v]) => [String(k), v]));
  const allAclConfigDataVersion = new Map<string, DataVersion>();
  for (const file of javaAclVersionOrder([...files.keys()])) {
    allAclConfigDataVersion.set(file, decodeDataVersion(files.get(file), `allAclFileVersion.${file}`));
  }
  return {
    brokerName: header.brokerName ?? "",
    brokerAddr: header.brokerAddr ?? "",
    clusterName: header.clusterName ?? "",
    aclConfigDataVersion: decodeDataVersion(version, "version"),
    allAclConfigDataVersion,
  };
}

export class MQAdminAcl {
  constructor(private readonly admin: MQAdminClient) {}

  async createAndUpdatePlainAccessConfig(addr: string, config: PlainAccessConfig): Promise<void> {
    await this.admin.call(
      addr,
      createRequest(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, { extFields: createAccessConfigRequestFields(config) }),
    );
  }

  async deletePlainAccessConfig(addr: string, accessKey: string): Promise<void> {
    await this.admin.call(
      addr,
      createRequest(RequestCode.DELETE_ACL_CONFIG, {
        extFields: encodeHeader(DeleteAccessConfigRequestHeader, { accessKey }),
      }),
    );
  }

  async updateGlobalWhiteAddrConfig(addr: string, globalWhiteAddrs: string, aclFileFullPath?: string): Promise<void> {
    await this.admin.call(
      addr,
      createRequest(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, {
        extFields: encodeHeader(UpdateGlobalWhiteAddrsConfigRequestHeader, {
          globalWhiteAddrs,
          aclFileFullPath: aclFileFullPath ?? undefined,
        }),
      }),
    );
  }

  async examineBrokerClusterAclVersionInfo(addr: string): Promise<ClusterAclVersionInfo> {
    const res = await this.admin.call(addr, createRequest(RequestCode.GET_BROKER_CLUSTER_ACL_INFO));
    return clusterAclVersionInfoOf(res.extFields);
  }
}
