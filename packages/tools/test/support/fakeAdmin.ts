/**
 * In-memory stand-ins for what mqadmin's commands use: an MQAdminExt answering only the calls a test
 * gives it (any other call fails the command), and a run of `runMqadmin` with them injected.
 */
import { tmpdir } from "node:os";
import type { SessionCredentials } from "@rocketmq-ts/client";
import type { MQAdminExt } from "../../src/command/MQAdminExt.js";
import { runMqadmin } from "../../src/mqadmin.js";
import type { MQAdminRuntime } from "../../src/runtime.js";

/** A call the test did not expect fails the command with its name. */
function unexpected(method: string): () => never {
  return () => {
    throw new Error(`unexpected call: ${method}`);
  };
}

/** Nothing but the calls in `impl` (shutdown always resolves). */
export function fakeAdmin(impl: Partial<MQAdminExt>): MQAdminExt {
  const fallback: MQAdminExt = {
    namesrvAddrList: unexpected("namesrvAddrList"),
    call: unexpected("call"),
    examineBrokerClusterInfo: unexpected("examineBrokerClusterInfo"),
    examineTopicRouteInfo: unexpected("examineTopicRouteInfo"),
    fetchAllTopicList: unexpected("fetchAllTopicList"),
    fetchBrokerRuntimeStats: unexpected("fetchBrokerRuntimeStats"),
    examineTopicStats: unexpected("examineTopicStats"),
    examineConsumeStats: unexpected("examineConsumeStats"),
    examineConsumerConnectionInfo: unexpected("examineConsumerConnectionInfo"),
    getConsumerRunningInfo: unexpected("getConsumerRunningInfo"),
    consumeMessageDirectly: unexpected("consumeMessageDirectly"),
    examineProducerConnectionInfo: unexpected("examineProducerConnectionInfo"),
    createAndUpdateTopicConfig: unexpected("createAndUpdateTopicConfig"),
    deleteTopicInBroker: unexpected("deleteTopicInBroker"),
    deleteTopicInNameServer: unexpected("deleteTopicInNameServer"),
    getBrokerConfig: unexpected("getBrokerConfig"),
    updateBrokerConfig: unexpected("updateBrokerConfig"),
    operateWritePerm: unexpected("operateWritePerm"),
    getNameServerConfig: unexpected("getNameServerConfig"),
    putKVConfig: unexpected("putKVConfig"),
    deleteKVConfig: unexpected("deleteKVConfig"),
    createAndUpdateSubscriptionGroupConfig: unexpected("createAndUpdateSubscriptionGroupConfig"),
    queryMessageByKey: unexpected("queryMessageByKey"),
    viewMessage: unexpected("viewMessage"),
    viewMessageByUniqKey: unexpected("viewMessageByUniqKey"),
    pull: unexpected("pull"),
    pullOne: unexpected("pullOne"),
    queueOffset: unexpected("queueOffset"),
    fetchSubscribeMessageQueues: unexpected("fetchSubscribeMessageQueues"),
    messageTrackDetail: unexpected("messageTrackDetail"),
    resetOffsetByTimestamp: unexpected("resetOffsetByTimestamp"),
    deleteSubscriptionGroup: unexpected("deleteSubscriptionGroup"),
    queryTopicConsumeByWho: unexpected("queryTopicConsumeByWho"),
    viewBrokerStatsData: unexpected("viewBrokerStatsData"),
    fetchConsumeStatsInBroker: unexpected("fetchConsumeStatsInBroker"),
    getUserTopicConfig: unexpected("getUserTopicConfig"),
    getUserSubscriptionGroup: unexpected("getUserSubscriptionGroup"),
    cleanExpiredConsumerQueue: unexpected("cleanExpiredConsumerQueue"),
    deleteExpiredCommitLog: unexpected("deleteExpiredCommitLog"),
    cleanUnusedTopic: unexpected("cleanUnusedTopic"),
    queryConsumeQueue: unexpected("queryConsumeQueue"),
    getAllProducerInfo: unexpected("getAllProducerInfo"),
    createAndUpdatePlainAccessConfig: unexpected("createAndUpdatePlainAccessConfig"),
    deletePlainAccessConfig: unexpected("deletePlainAccessConfig"),
    updateGlobalWhiteAddrConfig: unexpected("updateGlobalWhiteAddrConfig"),
    examineBrokerClusterAclVersionInfo: unexpected("examineBrokerClusterAclVersionInfo"),
    shutdown: () => Promise.resolve(),
  };
  return { ...fallback, ...impl };
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** the name server list the command's admin client was created with */
  namesrvAddr: string | undefined;
  /** what the admin client was told to sign with (conf/tools.yml or --ak/--sk) */
  credentials: SessionCredentials | undefined;
}

/** `mqadmin <argv>` in this process with `admin` (and, if given, producers, stop request, working directory). */
export async function runWith(
  argv: string[],
  admin: MQAdminExt,
  runtime: Partial<MQAdminRuntime> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  let namesrvAddr: string | undefined;
  let credentials: SessionCredentials | undefined;
  const code = await runMqadmin(
    argv,
    (s) => (stdout += s),
    (s) => (stderr += s),
    env,
    {
      newAdmin: (addr, sessionCredentials) => {
        namesrvAddr = addr;
        credentials = sessionCredentials;
        return admin;
      },
      newProducer: runtime.newProducer ?? unexpected("newProducer"),
      untilStopped: runtime.untilStopped ?? (() => ({ signal: new AbortController().signal, dispose: () => {} })),
      workDir: runtime.workDir ?? (() => tmpdir()),
    },
  );
  return { code, stdout, stderr, namesrvAddr, credentials };
}
