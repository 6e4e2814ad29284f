import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeHeartbeatData } from "@rocketmq-ts/common";
import { RequestCode } from "@rocketmq-ts/remoting";
import { AclFileError, AclFileWatchService, PlainAccessValidator } from "@rocketmq-ts/acl";
import { openValidator, request, silent, tempHome, verdict, afterEachCleanup, sendHeader } from "./support.js";

const RULES = `# the test's rules
globalWhiteRemoteAddresses:
  - 10.10.103.*

accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - topicA=DENY
      - topicB=PUB|SUB
      - topicC=SUB
    groupPerms:
      - groupA=DENY
      - groupB=PUB|SUB
  - accessKey: rocketmq2
    secretKey: 12345678
    whiteRemoteAddress: 192.168.1.*
    admin: true
`;
const USER = { ak: "RocketMQ", sk: "12345678" };
const ADMIN = { ak: "rocketmq2", sk: "12345678" };

const cleanup = afterEachCleanup();
function setup(files: Record<string, string> = { "conf/plain_acl.yml": RULES }): {
  home: string;
  write: (rel: string, text: string) => void;
  validator: PlainAccessValidator;
} {
  const t = tempHome(files);
  const validator = openValidator(t.home);
  cleanup(() => validator.shutdown(), t.cleanup);
  return { home: t.home, write: t.write, validator };
}

describe("PlainPermissionManager.validate (Java's order of checks)", () => {
  it("a signed request with the needed permission passes; a wrong secret or unknown key does not", () => {
    const { validator } = setup();
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), USER))).toBe("accepted");
    expect(
      verdict(
        validator,
        request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), { ak: "RocketMQ", sk: "87654321" }),
      ),
    ).toBe("Check signature failed for accessKey=RocketMQ");
    expect(
      verdict(
        validator,
        request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), { ak: "Nobody12", sk: "12345678" }),
      ),
    ).toBe("No acl config for Nobody12");
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB")))).toBe(
      "No accessKey is configured",
    );
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, null))).toBe("No accessKey is configured");
  });

  it("a body changed after signing fails the signature", () => {
    const { validator } = setup();
    const cmd = request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), USER, Buffer.from("hello"));
    expect(verdict(validator, cmd)).toBe("accepted");
    cmd.body = Buffer.from("hellO");
    expect(verdict(validator, cmd)).toBe("Check signature failed for accessKey=RocketMQ");
  });

  it("topic permissions: listed ones, then the account's default", () => {
    const { validator } = setup();
    const v = (topic: string): string =>
      verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader(topic), USER));
    expect(v("topicA")).toBe("No default permission for topic:topicA");
    expect(v("topicC")).toBe("No default permission for topic:topicC");
    expect(v("otherTopic")).toBe("No default permission for topic:otherTopic");
    const pull = (topic: string, group: string): string =>
      verdict(
        validator,
        request(
          RequestCode.PULL_MESSAGE,
          {
            consumerGroup: group,
            topic,
            queueId: "0",
            queueOffset: "0",
            maxMsgNums: "32",
            sysFlag: "0",
            commitOffset: "0",
            suspendTimeoutMillis: "0",
            subVersion: "0",
          },
          USER,
        ),
      );
    expect(pull("topicC", "groupB")).toBe("accepted");
    expect(pull("topicC", "groupA")).toBe("No default permission for group:groupA");
    expect(pull("topicC", "anyGroup")).toBe("accepted"); // defaultGroupPerm SUB
  });

  it("a heartbeat needs SUB on each consumer group and subscribed topic", () => {
    const { validator } = setup();
    const heartbeat = (topic: string): string => {
      const body = encodeHeartbeatData({
        clientID: "c1",
        producerDataSet: [],
        consumerDataSet: [
          {
            groupName: "groupB",
            consumeType: "CONSUME_PASSIVELY",
            messageModel: "CLUSTERING",
            consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
            subscriptionDataSet: [
              {
                classFilterMode: false,
                topic,
                subString: "*",
                tagsSet: [],
                codeSet: [],
                subVersion: 1,
                expressionType: "TAG",
              },
            ],
            unitMode: false,
          },
        ],
      });
      return verdict(validator, request(RequestCode.HEART_BEAT, {}, USER, body));
    };
    expect(heartbeat("topicB")).toBe("accepted");
    expect(heartbeat("topicA")).toBe("No default permission for topic:topicA");
  });

  it("admin-only codes need an admin account; the ACL codes do not", () => {
    const { validator } = setup();
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
    expect(verdict(validator, request(RequestCode.UPDATE_AND_CREATE_TOPIC, create, USER))).toBe(
      "Need admin permission for request code=17, but accessKey=RocketMQ is not",
    );
    expect(verdict(validator, request(RequestCode.UPDATE_AND_CREATE_TOPIC, create, ADMIN))).toBe("accepted");
    for (const code of [
      RequestCode.DELETE_TOPIC_IN_BROKER,
      RequestCode.UPDATE_BROKER_CONFIG,
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      RequestCode.DELETE_SUBSCRIPTIONGROUP,
    ]) {
      expect(verdict(validator, request(code, { topic: "T1" }, USER))).toMatch(
        /^Need admin permission for request code=/,
      );
    }
    expect(verdict(validator, request(RequestCode.DELETE_ACL_CONFIG, { accessKey: "someone" }, USER))).toBe("accepted");
  });

  it("white addresses: global ones skip every check, an account's skips its signature and permissions", () => {
    const { validator } = setup();
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicA")), "10.10.103.7")).toBe(
      "accepted",
    );
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicA")), "10.10.104.7")).toBe(
      "No accessKey is configured",
    );
    const unsigned = request(RequestCode.SEND_MESSAGE_V2, { ...sendHeader("topicA"), AccessKey: "rocketmq2" });
    expect(verdict(validator, unsigned, "192.168.1.20")).toBe("accepted");
    expect(verdict(validator, unsigned, "192.168.2.20")).toBe("Check signature failed for accessKey=rocketmq2");
  });

  it("message traces to RMQ_SYS_TRACE_TOPIC skip the permission check", () => {
    const { validator } = setup();
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("RMQ_SYS_TRACE_TOPIC"), USER))).toBe(
      "accepted",
    );
  });

  it("conf/acl/**.yml are read too; a key met first there wins", () => {
    const { validator } = setup({
      "conf/plain_acl.yml": RULES,
      "conf/acl/team/extra.yaml":
        "accounts:\n  - accessKey: RocketMQ\n    secretKey: abcdefgh\n    defaultTopicPerm: PUB\n  - accessKey: teamUser1\n    secretKey: 12345678\n    defaultTopicPerm: PUB|SUB\n",
      "conf/acl/tools.yml": "accessKey: rocketmq2\nsecretKey: 12345678\n",
    });
    expect(
      verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("x"), { ak: "teamUser1", sk: "12345678" })),
    ).toBe("accepted");
    expect(
      verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("x"), { ak: "RocketMQ", sk: "abcdefgh" })),
    ).toBe("accepted");
    expect(validator.manager.aclFiles().map((f) => f.slice(f.indexOf("/conf/")))).toEqual([
      "/conf/acl/team/extra.yaml",
      "/conf/plain_acl.yml",
    ]);
  });
});

describe("loading and reloading the files", () => {
  it("a missing conf/plain_acl.yml is created empty; nothing is allowed then", () => {
    const { home, validator } = setup({});
    expect(readFileSync(join(home, "conf", "plain_acl.yml"), "utf8")).toBe("");
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("t"), USER))).toBe(
      "No acl config for RocketMQ",
    );
  });

  it("a bad file refuses to load, naming file, line and key", () => {
    const cases: [string, RegExp][] = [
      [
        "accounts:\n  - accessKey: RocketMQ\n    secretKey: 12345678\n  - accessKey: other123\n    secretKey: 12345678\n    whiteRemoteAddress: 1.2.3\n",
        /plain_acl\.yml:4: accounts\[1\]: Netaddress examine Exception netaddress is 1\.2\.3$/,
      ],
      [
        "accounts:\n  - accessKey: short\n    secretKey: 12345678\n",
        /plain_acl\.yml:2: accounts\[0\]: The accessKey=short and secretKey=12345678 cannot be null and length should longer than 6$/,
      ],
      [
        "accounts:\n  - accessKey: RocketMQ\n    secretKey: 12345678\n    topicPerms:\n      - topicA\n",
        /plain_acl\.yml:2: accounts\[0\]: Parse resource permission failed for topic:topicA$/,
      ],
      [
        "globalWhiteRemoteAddresses:\n  - 10.10.103.*\n  - 999.1.*.*\n",
        /plain_acl\.yml:3: globalWhiteRemoteAddresses\[1\]: Netaddress examine scope Exception/,
      ],
      ["accounts:\n  - accessKey: RocketMQ\n   secretKey: [unclosed\n", /plain_acl\.yml:\d+: /],
      ["accounts: 12\n", /plain_acl\.yml:1: accounts: expected a list of accounts$/],
    ];
    for (const [text, expected] of cases) {
      const t = tempHome({ "conf/plain_acl.yml": text });
      cleanup(t.cleanup);
      let error: unknown;
      try {
        openValidator(t.home).shutdown();
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(AclFileError);
      expect((error as Error).message, text).toMatch(expected);
    }
  });

  it("a reload picks up changes; a broken file keeps its last good rules", () => {
    const { validator, write } = setup();
    const newbie = { ak: "newbie123", sk: "secret999" };
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), newbie))).toBe(
      "No acl config for newbie123",
    );
    write(
      "conf/plain_acl.yml",
      `${RULES}  - accessKey: newbie123\n    secretKey: secret999\n    defaultTopicPerm: PUB\n`,
    );
    expect(validator.manager.reload()).toEqual([]);
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), newbie))).toBe("accepted");
    write(
      "conf/plain_acl.yml",
      `${RULES}  - accessKey: newbie123\n    secretKey: secret999\n    whiteRemoteAddress: 1.2.3\n`,
    );
    const errors = validator.manager.reload();
    expect(errors.map((e) => `${e.line} ${e.key}`)).toEqual(["23 accounts[2]"]);
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), newbie))).toBe("accepted");
  });

  it("a file emptied on a reload keeps its rules (editors empty a file before writing it), as Java", () => {
    const { validator, write } = setup();
    write("conf/plain_acl.yml", "");
    expect(validator.manager.reload()).toEqual([]);
    expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), USER))).toBe("accepted");
  });

  it("-Drocketmq.acl.plain.file names a file under the home, with or without a leading slash", () => {
    const t = tempHome({ "conf/other.yml": RULES });
    cleanup(t.cleanup);
    for (const aclFile of ["conf/other.yml", "/conf/other.yml"]) {
      const validator = new PlainAccessValidator({ home: t.home, aclFile, logger: silent, watchIntervalMs: 0 });
      expect(validator.manager.defaultAclFile).toBe(join(t.home, "conf", "other.yml"));
      expect(verdict(validator, request(RequestCode.SEND_MESSAGE_V2, sendHeader("topicB"), USER))).toBe("accepted");
    }
  });

  it("the watch service notices a changed file and a new one", () => {
    const { validator, write } = setup();
    let reloads = 0;
    const watch = new AclFileWatchService(
      () => validator.manager.aclFiles(),
      () => void reloads++,
      silent,
      60_000,
    );
    expect(watch.check()).toBe(false);
    write("conf/plain_acl.yml", `${RULES}\n# touched\n`);
    expect(watch.check()).toBe(true);
    write("conf/acl/more.yml", "accounts: []\n");
    expect(watch.check()).toBe(true);
    expect(watch.check()).toBe(false);
    expect(reloads).toBe(2);
  });
});
