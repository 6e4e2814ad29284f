/**
 * MQAdminClient's plain-ACL calls (codes 50–53) encoded as Java 4.9.8's MQClientAPIImpl does: the
 * header classes' fields (remoting's aclHeaders.ts) in Java's HashMap order, null fields left out,
 * topicPerms / groupPerms joined with ","; failures thrown with the broker's code and remark; the
 * version answer read as ClusterAclVersionInfo.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createResponse,
  CreateAccessConfigRequestHeader,
  javaHashMapOrder,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import { MQAdminClient, MQClientException, type ClientRemoting } from "../src/index.js";

interface Sent {
  addr: string | null;
  cmd: RemotingCommand;
}

/** A remoting client that runs the hooks, records what would go on the wire and answers with `answer`. */
function recording(answer: (req: RemotingCommand) => RemotingCommand = (req) => createResponse(req, 0)): {
  client: ClientRemoting;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const hooks: RPCHook[] = [];
  let namesrv: string[] = [];
  const client: ClientRemoting = {
    invokeSync: (addr, req) => {
      for (const h of hooks) h.doBeforeRequest(addr ?? "ns", req);
      sent.push({ addr, cmd: req });
      return Promise.resolve(answer(req));
    },
    invokeAsync: () => Promise.reject(new Error("not used")),
    invokeOneway: () => Promise.reject(new Error("not used")),
    registerProcessor: () => undefined,
    registerRPCHook: (hook) => void hooks.push(hook),
    updateNameServerAddressList: (addrs) => void (namesrv = [...addrs]),
    getNameServerAddressList: () => [...namesrv],
    shutdown: () => Promise.resolve(),
  };
  return { client, sent };
}

const BROKER = "127.0.0.1:10911";
/** Java's CreateAccessConfigRequestHeader fields in declaration order (what makeCustomHeaderToNet walks). */
const CREATE_FIELDS = [
  "accessKey",
  "secretKey",
  "whiteRemoteAddress",
  "admin",
  "defaultTopicPerm",
  "defaultGroupPerm",
  "topicPerms",
  "groupPerms",
];

describe("MQAdminClient plain-ACL requests", () => {
  it("createAndUpdatePlainAccessConfig: code 50, every field of the account, lists joined with ','", async () => {
    const { client, sent } = recording();
    const admin = new MQAdminClient({ namesrvAddr: "ns:9876", remotingClient: client });
    await admin.createAndUpdatePlainAccessConfig(BROKER, {
      accessKey: "RocketMQ",
      secretKey: "1234567890",
      whiteRemoteAddress: "192.168.0.*",
      admin: false,
      defaultTopicPerm: "DENY",
      defaultGroupPerm: "SUB",
      topicPerms: ["topicA=DENY", "topicB=PUB|SUB"],
      groupPerms: ["groupA=DENY"],
    });
    expect(sent).toHaveLength(1);
    const { addr, cmd } = sent[0] as Sent;
    expect(addr).toBe(BROKER);
    expect(cmd.code).toBe(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG);
    expect(cmd.code).toBe(50);
    expect(cmd.body).toBeNull();
    expect(cmd.extFields).toEqual({
      accessKey: "RocketMQ",
      secretKey: "1234567890",
      whiteRemoteAddress: "192.168.0.*",
      admin: "false",
      defaultTopicPerm: "DENY",
      defaultGroupPerm: "SUB",
      topicPerms: "topicA=DENY,topicB=PUB|SUB",
      groupPerms: "groupA=DENY",
    });
    // the names are those of the header declaration both sides share, in Java's HashMap order
    expect(Object.keys(CreateAccessConfigRequestHeader.fields)).toEqual(CREATE_FIELDS);
    expect(Object.keys(cmd.extFields ?? {})).toEqual(javaHashMapOrder(CREATE_FIELDS));
  });

  it("leaves out what the account does not set (Java's null fields); an empty list is ''", async () => {
    const { client, sent } = recording();
    const admin = new MQAdminClient({ namesrvAddr: "ns:9876", remotingClient: client });
    await admin.createAndUpdatePlainAccessConfig(BROKER, {
      accessKey: "ak1234567",
      secretKey: "sk1234567",
      admin: true,
    });
    await admin.createAndUpdatePlainAccessConfig(BROKER, {
      accessKey: "ak1234567",
      secretKey: "sk1234567",
      admin: false,
      topicPerms: [],
    });
    expect(sent[0]?.cmd.extFields).toEqual({ accessKey: "ak1234567", secretKey: "sk1234567", admin: "true" });
    expect(Object.keys(sent[0]?.cmd.extFields ?? {})).toEqual(javaHashMapOrder(["accessKey", "secretKey", "admin"]));
    expect(sent[1]?.cmd.extFields).toEqual({
      accessKey: "ak1234567",
      secretKey: "sk1234567",
      admin: "false",
      topicPerms: "",
    });
  });

  it("deletePlainAccessConfig: code 51 with the access key", async () => {
    const { client, sent } = recording();
    const admin = new MQAdminClient({ namesrvAddr: "ns:9876", remotingClient: client });
    await admin.deletePlainAccessConfig(BROKER, "RocketMQ");
    expect(sent[0]?.cmd.code).toBe(51);
    expect(sent[0]?.cmd.extFields).toEqual({ accessKey: "RocketMQ" });
  });

  it("updateGlobalWhiteAddrConfig: code 53, the list as given, the file only when named", async () => {
    const { client, sent } = recording();
    const admin = new MQAdminClient({ namesrvAddr: "ns:9876", remotingClient: client });
    await admin.updateGlobalWhiteAddrConfig(BROKER, "10.10.103.*,192.168.0.*", "/opt/rmq/conf/plain_acl.yml");
    await admin.updateGlobalWhiteAddrConfig(BROKER, "10.10.103.*");
    expect(sent[0]?.cmd.code).toBe(53);
    expect(sent[0]?.cmd.extFields).toEqual({
      globalWhiteAddrs: "10.10.103.*,192.168.0.*",
      aclFileFullPath: "/opt/rmq/conf/plain_acl.yml",
    });
    expect(Object.keys(sent[0]?.cmd.extFields ?? {})).toEqual(
      javaHashMapOrder(["globalWhiteAddrs", "aclFileFullPath"]),
    );
    expect(sent[1]?.cmd.extFields).toEqual({ globalWhiteAddrs: "10.10.103.*" });
  });

  it("examineBrokerClusterAclVersionInfo: code 52 without a header; the answer's versions decoded", async () => {
    const files = ["/opt/rmq/conf/plain_acl.yml", "/opt/rmq/conf/acl/team-a.yml", "/opt/rmq/conf/acl/team-b.yml"];
    const { client, sent } = recording((req) =>
      createResponse(req, 0, {
        extFields: {
          version: '{"counter":3,"timestamp":1764930000000}',
          allAclFileVersion: `{${files.map((f, i) => `"${f}":{"counter":${i + 1},"timestamp":${1764930000000 + i}}`).join(",")}}`,
          brokerName: "broker-a",
          brokerAddr: BROKER,
          clusterName: "DefaultCluster",
        },
      }),
    );
    const admin = new MQAdminClient({ namesrvAddr: "ns:9876", remotingClient: client });
    const info = await admin.examineBrokerClusterAclVersionInfo(BROKER);
    expect(sent[0]?.cmd.code).toBe(52);
    expect(sent[0]?.cmd.extFields).toBeNull();
    expect(info).toMatchObject({ brokerName: "broker-a", brokerAddr: BROKER, clusterName: "DefaultCluster" });
    expect(info.aclConfigDataVersion).toEqual({ counter: 3, timestamp: 1764930000000 });
    expect(new Map(info.allAclConfigDataVersion)).toEqual(
      new Map(files.map((f, i) => [f, { counter: i + 1, timestamp: 1764930000000 + i }])),
    );
    // listed as Java's HashMap(size, 1) holds them: a table of 4, never resized
    expect([...info.allAclConfigDataVersion.keys()]).toEqual(javaHashMapOrder(javaHashMapOrder(files), 4));
  });

  it("a refusal throws with the broker's code and remark, as the other admin calls", async () => {
    const remark = "The accesskey[RocketMQ] corresponding to accessConfig has been updated failed.";
    const { client } = recording((req) =>
      createResponse(req, ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED, { remark }),
    );
    const admin = new MQAdminClient({ namesrvAddr: "ns:9876", remotingClient: client });
    const failure = admin.createAndUpdatePlainAccessConfig(BROKER, {
      accessKey: "RocketMQ",
      secretKey: "x",
      admin: false,
    });
    await expect(failure).rejects.toBeInstanceOf(MQClientException);
    await expect(failure).rejects.toMatchObject({
      responseCode: 209,
      errorMessage: remark,
      message: `CODE: 209  DESC: ${remark}`,
    });
    await expect(admin.examineBrokerClusterAclVersionInfo(BROKER)).rejects.toMatchObject({ responseCode: 209 });
  });

  it("signed by an admin account: AccessKey first into Java's map, Signature last, over all header fields", async () => {
    const { client, sent } = recording();
    const admin = new MQAdminClient({
      namesrvAddr: "ns:9876",
      remotingClient: client,
      sessionCredentials: { accessKey: "rocketmq2", secretKey: "12345678" },
    });
    await admin.createAndUpdatePlainAccessConfig(BROKER, {
      accessKey: "RocketMQ",
      secretKey: "1234567890",
      admin: false,
      topicPerms: ["topicA=DENY"],
    });
    const ext = sent[0]?.cmd.extFields ?? {};
    const headerKeys = ["accessKey", "secretKey", "admin", "topicPerms"];
    expect(Object.keys(ext)).toEqual(javaHashMapOrder(["AccessKey", ...headerKeys, "Signature"]));
    const content = Object.keys(ext)
      .filter((k) => k !== "Signature")
      .sort()
      .map((k) => ext[k])
      .join("");
    expect(content).toBe("rocketmq2RocketMQfalse1234567890topicA=DENY");
    expect(ext["Signature"]).toBe(createHmac("sha1", "12345678").update(content).digest("base64"));
  });
});
