import { chmodSync, lstatSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { RequestCode } from "@rocketmq-ts/remoting";
import { AclException, AclFileEditor, PlainPermissionManager } from "@rocketmq-ts/acl";
import { request, silent, tempHome, verdict, afterEachCleanup, sendHeader } from "./support.js";
import { PlainAccessValidator } from "@rocketmq-ts/acl";

const RULES = `# keep this comment
globalWhiteRemoteAddresses:
  - 10.10.103.*
accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    defaultTopicPerm: DENY
    topicPerms:
      - topicA=SUB
`;

const cleanup = afterEachCleanup();

function setup(files: Record<string, string> = { "conf/plain_acl.yml": RULES }) {
  const t = tempHome(files);
  let clock = 1_700_000_000_000;
  const validator = new PlainAccessValidator({ home: t.home, logger: silent, watchIntervalMs: 0, now: () => ++clock });
  cleanup(() => validator.shutdown(), t.cleanup);
  const file = (rel = "conf/plain_acl.yml"): Record<string, unknown> =>
    parse(readFileSync(join(t.home, rel), "utf8")) as Record<string, unknown>;
  const text = (rel = "conf/plain_acl.yml"): string => readFileSync(join(t.home, rel), "utf8");
  return { ...t, validator, file, text };
}

describe("ACL admin writes (UPDATE_AND_CREATE_ACL_CONFIG, DELETE_ACL_CONFIG, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG)", () => {
  it("creates an account in conf/plain_acl.yml, effective at once, comments kept, version bumped", () => {
    const { validator, file, text } = setup();
    expect(
      validator.updateAccessConfig({
        accessKey: "newUser01",
        secretKey: "newSecret1",
        admin: false,
        defaultTopicPerm: "DENY",
        topicPerms: ["topicB=PUB"],
      }),
    ).toBe(true);
    expect(text()).toContain("# keep this comment");
    const data = file();
    expect(data["accounts"]).toEqual([
      { accessKey: "RocketMQ", secretKey: 12345678, defaultTopicPerm: "DENY", topicPerms: ["topicA=SUB"] },
      {
        accessKey: "newUser01",
        secretKey: "newSecret1",
        admin: false,
        defaultTopicPerm: "DENY",
        topicPerms: ["topicB=PUB"],
      },
    ]);
    expect(data["dataVersion"]).toEqual([{ counter: 1, timestamp: 1_700_000_000_001 }]);
    expect(validator.manager.aclConfigVersion()).toEqual({ counter: 1, timestamp: 1_700_000_000_001 });
    const user = { ak: "newUser01", sk: "newSecret1" };
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), user))).toBe("accepted");
  });

  it("updates an account where it is defined (conf/acl/…), keeping fields the request leaves out", () => {
    const { validator, file } = setup({
      "conf/plain_acl.yml": RULES,
      "conf/acl/team.yml": "accounts:\n  - accessKey: teamUser1\n    secretKey: 12345678\n    defaultGroupPerm: SUB\n",
    });
    validator.updateAccessConfig({ accessKey: "teamUser1", secretKey: "87654321", admin: true });
    expect(file("conf/acl/team.yml")["accounts"]).toEqual([
      { accessKey: "teamUser1", secretKey: "87654321", defaultGroupPerm: "SUB", admin: true },
    ]);
    expect((file()["accounts"] as unknown[]).length).toBe(1);
    const create = {
      topic: "T1",
      defaultTopic: "TBW102",
      readQueueNums: "4",
      writeQueueNums: "4",
      perm: "6",
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: "0",
      order: "false",
    };
    expect(
      verdict(validator, request(RequestCode.UPDATE_AND_CREATE_TOPIC, create, { ak: "teamUser1", sk: "87654321" })),
    ).toBe("accepted");
  });

  it("refuses what Java refuses, writing nothing", () => {
    const { validator, text } = setup();
    const before = text();
    const refusal = (f: () => unknown): string => {
      try {
        f();
        return "no error";
      } catch (err) {
        expect(err).toBeInstanceOf(AclException);
        return (err as Error).message;
      }
    };
    expect(refusal(() => validator.updateAccessConfig({ accessKey: "abc", secretKey: "12345678", admin: false }))).toBe(
      "The accessKey=abc and secretKey=12345678 cannot be null and length should longer than 6",
    );
    expect(
      refusal(() =>
        validator.updateAccessConfig({
          accessKey: "abcdefgh",
          secretKey: "12345678",
          admin: false,
          topicPerms: ["topicA=ALL"],
        }),
      ),
    ).toBe(
      "Parse resource permission error for topicA=ALL.\nThe expected permissions are 'SUB' or 'PUB' or 'SUB|PUB' or 'PUB|SUB'.",
    );
    expect(
      refusal(() =>
        validator.updateAccessConfig({
          accessKey: "abcdefgh",
          secretKey: "12345678",
          admin: false,
          whiteRemoteAddress: "1.2",
        }),
      ),
    ).toBe("Netaddress examine Exception netaddress is 1.2");
    expect(text()).toBe(before);
  });

  it("deletes an account; an unknown key is answered false", () => {
    const { validator, file } = setup();
    expect(validator.deleteAccessConfig("NoSuchKey")).toBe(false);
    expect(validator.deleteAccessConfig("RocketMQ")).toBe(true);
    expect(file()["accounts"]).toEqual([]);
    expect(
      verdict(
        validator,
        request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicA"), { ak: "RocketMQ", sk: "12345678" }),
      ),
    ).toBe("No acl config for RocketMQ");
  });

  it("replaces the global white list of the default file or a named one under the home", () => {
    const { validator, file, home } = setup({ "conf/plain_acl.yml": RULES, "conf/acl/team.yml": "accounts: []\n" });
    expect(validator.updateGlobalWhiteAddrsConfig(["192.168.7.*", "10.0.0.1"])).toBe(true);
    expect(file()["globalWhiteRemoteAddresses"]).toEqual(["192.168.7.*", "10.0.0.1"]);
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("x")), "192.168.7.9")).toBe("accepted");
    expect(validator.updateGlobalWhiteAddrsConfig(["172.16.*.*"], join(home, "conf/acl/team.yml"))).toBe(true);
    expect(file("conf/acl/team.yml")["globalWhiteRemoteAddresses"]).toEqual(["172.16.*.*"]);
    expect(validator.updateGlobalWhiteAddrsConfig(["1.1.1.1"], "/etc/passwd")).toBe(false);
    expect(validator.updateGlobalWhiteAddrsConfig(["1.1.1.1"], join(home, "conf/acl/missing.yml"))).toBe(false);
    expect(() => validator.updateGlobalWhiteAddrsConfig(["1.1.1"])).toThrow(AclException);
  });

  it("keeps the file's mode and writes through a symlink; refuses paths outside the ACL files", () => {
    const { validator, home, write } = setup({ "conf/real/plain_acl.yml": RULES });
    rmSync(join(home, "conf/plain_acl.yml"), { force: true });
    symlinkSync(join(home, "conf/real/plain_acl.yml"), join(home, "conf/plain_acl.yml"));
    chmodSync(join(home, "conf/real/plain_acl.yml"), 0o600);
    validator.manager.reload();
    validator.updateAccessConfig({ accessKey: "newUser01", secretKey: "newSecret1", admin: false });
    expect(lstatSync(join(home, "conf/plain_acl.yml")).isSymbolicLink()).toBe(true);
    expect(statSync(join(home, "conf/real/plain_acl.yml")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, "conf/real/plain_acl.yml"), "utf8")).toContain("newUser01");
    write("other/evil.yml", "accounts: []\n");
    expect(validator.updateGlobalWhiteAddrsConfig(["1.1.1.1"], join(home, "conf/../other/evil.yml"))).toBe(false);
    expect(readFileSync(join(home, "other/evil.yml"), "utf8")).toBe("accounts: []\n");
  });

  it("writes an empty default file as a fresh document", () => {
    const t = tempHome({ "conf/plain_acl.yml": "" });
    cleanup(t.cleanup);
    const manager = new PlainPermissionManager({ home: t.home, logger: silent });
    manager.load();
    new AclFileEditor(manager, silent, () => 5).updateAccessConfig({
      accessKey: "first001",
      secretKey: "secret01",
      admin: false,
    });
    expect(parse(readFileSync(join(t.home, "conf/plain_acl.yml"), "utf8"))).toEqual({
      accounts: [{ accessKey: "first001", secretKey: "secret01", admin: false }],
      dataVersion: [{ counter: 1, timestamp: 5 }],
    });
  });
});
