/** The plain-ACL admin codes 50–53 (processor/admin/acl.ts) against a real PlainAccessValidator on temp files. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { PlainAccessValidator } from "@rocketmq-ts/acl";
import { decodeHeader, GetBrokerAclConfigResponseHeader, RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { request, testBrokers } from "./support/brokerContext.js";

const open = testBrokers();
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function withAcl(rules = "accounts:\n  - accessKey: RocketMQ\n    secretKey: 12345678\n") {
  const home = mkdtempSync(join(tmpdir(), "broker-acl-"));
  homes.push(home);
  mkdirSync(join(home, "conf"));
  writeFileSync(join(home, "conf", "plain_acl.yml"), rules);
  const accessValidator = new PlainAccessValidator({ home, logger: pino({ level: "silent" }), watchIntervalMs: 0 });
  const broker = open({ accessValidator });
  const file = (): string => readFileSync(join(home, "conf", "plain_acl.yml"), "utf8");
  return { broker, home, file, accessValidator };
}

describe("ACL admin codes", () => {
  it("UPDATE_AND_CREATE_ACL_CONFIG writes the account; a bad one is answered 209 with Java's reason", async () => {
    const { broker, file } = withAcl();
    const created = await broker.handle(
      request(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, {
        accessKey: "newUser01",
        secretKey: "newSecret1",
        admin: "false",
        defaultTopicPerm: "DENY",
        topicPerms: "topicA=PUB,topicB=SUB|PUB",
      }),
    );
    expect(created?.code).toBe(ResponseCode.SUCCESS);
    expect(file()).toContain("accessKey: newUser01");
    expect(file()).toMatch(/topicPerms:\n\s+- topicA=PUB\n\s+- topicB=SUB\|PUB/);
    const bad = await broker.handle(
      request(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, { accessKey: "abc", secretKey: "12345678", admin: "false" }),
    );
    expect(bad?.code).toBe(ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED);
    expect(bad?.remark).toBe("The accessKey=abc and secretKey=12345678 cannot be null and length should longer than 6");
  });

  it("DELETE_ACL_CONFIG removes a known key; an unknown one is answered 210 with Java's text", async () => {
    const { broker, file } = withAcl();
    expect((await broker.handle(request(RequestCode.DELETE_ACL_CONFIG, { accessKey: "RocketMQ" })))?.code).toBe(0);
    expect(file()).not.toContain("RocketMQ");
    const unknown = await broker.handle(request(RequestCode.DELETE_ACL_CONFIG, { accessKey: "NoSuchKey" }));
    expect(unknown?.code).toBe(ResponseCode.DELETE_ACL_CONFIG_FAILED);
    expect(unknown?.remark).toBe("The accesskey[NoSuchKey] corresponding to accessConfig has been deleted failed.");
  });

  it("UPDATE_GLOBAL_WHITE_ADDRS_CONFIG sets the default file's list; a file outside the home is answered 211", async () => {
    const { broker, file } = withAcl();
    const okAnswer = await broker.handle(
      request(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, { globalWhiteAddrs: "10.10.103.*,192.168.0.*" }),
    );
    expect(okAnswer?.code).toBe(0);
    expect(file()).toMatch(/globalWhiteRemoteAddresses:\n\s+- 10\.10\.103\.\*\n\s+- 192\.168\.0\.\*/);
    const outside = await broker.handle(
      request(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, {
        globalWhiteAddrs: "1.1.1.1",
        aclFileFullPath: "/etc/hosts",
      }),
    );
    expect(outside?.code).toBe(ResponseCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED);
    expect(outside?.remark).toBe("The globalWhiteAddresses[1.1.1.1] has been updated failed.");
  });

  it("GET_BROKER_CLUSTER_ACL_INFO answers the versions of every file and the broker's identity", async () => {
    const { broker, home } = withAcl();
    await broker.handle(request(RequestCode.DELETE_ACL_CONFIG, { accessKey: "RocketMQ" }));
    const info = await broker.handle(request(RequestCode.GET_BROKER_CLUSTER_ACL_INFO, {}));
    expect(info?.code).toBe(0);
    const header = decodeHeader(GetBrokerAclConfigResponseHeader, info?.extFields ?? null);
    expect(header.brokerAddr).toBe("127.0.0.1:10911");
    expect(header.brokerName).toBe(broker.ctx.brokerConfig.brokerName);
    expect(JSON.parse(header.version)).toMatchObject({ counter: 1 });
    const all = JSON.parse(header.allAclFileVersion ?? "{}") as Record<string, { counter: number }>;
    expect(Object.keys(all)).toEqual([join(home, "conf", "plain_acl.yml")]);
    expect(all[join(home, "conf", "plain_acl.yml")]?.counter).toBe(1);
  });

  it("without aclEnable the codes are refused with a clear remark", async () => {
    const broker = open();
    const update = await broker.handle(
      request(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, { accessKey: "newUser01", secretKey: "newSecret1" }),
    );
    expect(update?.code).toBe(ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED);
    expect(update?.remark).toBe("The broker does not enable acl");
    const info = await broker.handle(request(RequestCode.GET_BROKER_CLUSTER_ACL_INFO, {}));
    expect(info?.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});
