/** runMqadmin: the command listing, help, option errors, the name server address and the admin client's lifetime. */
import { describe, expect, it } from "vitest";
import { commands } from "../src/commands.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";

/** What `mqadmin` prints without a command: the commands in the order Java 4.9.8's MQAdminStartup lists them. */
const USAGE = [
  "The most commonly used mqadmin commands are:",
  "   updateTopic          Update or create topic",
  "   deleteTopic          Delete topic from broker and NameServer.",
  "   updateSubGroup       Update or create subscription group",
  "   deleteSubGroup       Delete subscription group from broker.",
  "   updateBrokerConfig   Update broker's config",
  "   topicRoute           Examine topic route info",
  "   topicStatus          Examine topic Status info",
  "   brokerStatus         Fetch broker runtime status data",
  "   queryMsgById         Query Message by Id",
  "   queryMsgByKey        Query Message by Key",
  "   queryMsgByUniqueKey  Query Message by Unique key",
  "   queryMsgByOffset     Query Message by offset",
  "   brokerConsumeStats   Fetch broker consume stats data",
  "   producerConnection   Query producer's socket connection and client version",
  "   consumerConnection   Query consumer's socket connection, client version and subscription",
  "   consumerProgress     Query consumers's progress, speed",
  "   consumerStatus       Query consumer's internal data structure",
  "   producer             Query producer's instances, connection, status, etc.",
  "   clusterList          List all of clusters",
  "   topicList            Fetch all topic list from name server",
  "   updateKvConfig       Create or update KV config.",
  "   deleteKvConfig       Delete KV config.",
  "   wipeWritePerm        Wipe write perm of broker in all name server",
  "   addWritePerm         Add write perm of broker in all name server",
  "   resetOffsetByTime    Reset consumer offset by timestamp(without client restart).",
  "   cleanExpiredCQ       Clean expired ConsumeQueue on broker.",
  // longer than Java's %-20s: printed whole, then the one space
  "   deleteExpiredCommitLog Delete expired CommitLog files",
  "   cleanUnusedTopic     Clean unused topic on broker.",
  "   statsAll             Topic and Consumer tps stats",
  "   clusterRT            List All clusters Message Send RT",
  "   getNamesrvConfig     Get configs of name server.",
  "   getBrokerConfig      Get broker config by cluster or special broker!",
  "   queryCq              Query cq command.",
  "   sendMessage          Send a message",
  "   consumeMessage       Consume message",
  "   updateAclConfig      Update acl config yaml file in broker",
  "   deleteAclConfig      Delete Acl Config Account in broker",
  "   clusterAclConfigVersion List all of acl config version information in cluster",
  "   updateGlobalWhiteAddr Update global white address for acl Config File in broker",
  "   exportMetadata       export metadata",
  "   exportMetrics        export metrics",
  "",
  "See 'mqadmin help <command>' for more information on a specific command.",
  "",
].join("\n");

describe("runMqadmin", () => {
  it("lists the commands without a command, with -h and --help", async () => {
    for (const argv of [[], ["-h"], ["--help"]]) {
      const r = await runWith(argv, fakeAdmin({}));
      expect(r).toMatchObject({ code: 0, stdout: USAGE, stderr: "", namesrvAddr: undefined });
    }
    expect(commands).toHaveLength(41);
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });

  it("names a command that does not exist, then lists them", async () => {
    for (const argv of [["nosuch"], ["help", "nosuch"]]) {
      const r = await runWith(argv, fakeAdmin({}));
      expect(r).toMatchObject({ code: 1, stdout: "", stderr: `The sub command nosuch not exist.\n${USAGE}` });
    }
  });

  it("help <command> prints its options after -n", async () => {
    const r = await runWith(["help", "updateKvConfig"], fakeAdmin({}));
    expect(r).toMatchObject({ code: 0, stderr: "", namesrvAddr: undefined });
    expect(r.stdout.split("\n")).toEqual([
      "Usage: mqadmin updateKvConfig [options]",
      "",
      "Options:",
      "  -n, --namesrvAddr <arg>  Name server address list, eg:",
      "                           '192.168.0.1:9876;192.168.0.2:9876'",
      "  -s, --namespace <arg>    set the namespace",
      "  -k, --key <arg>          set the key name",
      "  -v, --value <arg>        set the key value",
      "  --ak <accessKey>         ACL access key to sign every request with (and",
      "                           --sk), instead of <ROCKETMQ_HOME>/conf/tools.yml's",
      "  --sk <secretKey>         ACL secret key of --ak",
      "  -h, --help               display help for command",
      "",
    ]);
  });

  it("a missing required option or an unknown one fails before any client is created", async () => {
    const missing = await runWith(["updateKvConfig", "-n", "x:1", "-s", "NS", "-k", "k"], fakeAdmin({}));
    expect(missing).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "error: required option '-v, --value <arg>' not specified\n",
      namesrvAddr: undefined,
    });
    const unknown = await runWith(["getNamesrvConfig", "-n", "x:1", "-z"], fakeAdmin({}));
    expect(unknown).toMatchObject({ code: 1, stderr: "error: unknown option '-z'\n", namesrvAddr: undefined });
  });

  it("takes the name server from -n, else from NAMESRV_ADDR, else fails", async () => {
    const admin = fakeAdmin({ fetchAllTopicList: async () => ["T"] });
    expect(await runWith(["topicList", "-n", "a:1;b:2"], admin, {}, { NAMESRV_ADDR: "env:1" })).toMatchObject({
      code: 0,
      stdout: "T\n",
      namesrvAddr: "a:1;b:2",
    });
    expect(await runWith(["topicList"], admin, {}, { NAMESRV_ADDR: "env:1" })).toMatchObject({ namesrvAddr: "env:1" });
    expect(await runWith(["topicList"], admin, {}, {})).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "topicList command failed: No name server address, please set it.\n",
      namesrvAddr: undefined,
    });
  });

  it("a failing command prints one line on stderr and exits 1; the admin client is shut down either way", async () => {
    let shutdowns = 0;
    const shutdown = async (): Promise<void> => void shutdowns++;
    const failing = fakeAdmin({
      shutdown,
      fetchAllTopicList: () => Promise.reject(new Error("connect to x:1 failed")),
    });
    expect(await runWith(["topicList", "-n", "x:1"], failing)).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "topicList command failed: connect to x:1 failed\n",
    });
    const working = fakeAdmin({ shutdown, fetchAllTopicList: async () => [] });
    expect(await runWith(["topicList", "-n", "x:1"], working)).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(shutdowns).toBe(2);
  });
});
