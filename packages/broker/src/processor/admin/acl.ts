/**
 * The plain-ACL admin codes of 4.9.8's AdminBrokerProcessor: UPDATE_AND_CREATE_ACL_CONFIG (50),
 * DELETE_ACL_CONFIG (51), GET_BROKER_CLUSTER_ACL_INFO (52), UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53).
 * A failed change is answered with its *_FAILED code and the reason (Java's exception message, or
 * its "… has been updated failed." text when the manager said no). Like Java, any account that
 * passes the ACL check may send these (they are not among the admin-only codes).
 *
 * With `aclEnable=false` Java fails them on a missing validator (a null remark, and no answer at
 * all to code 52); here they are answered with the failure code (52: SYSTEM_ERROR) and the remark
 * "The broker does not enable acl".
 */
import type { PlainAccessConfig, PlainAccessValidator } from "@rocketmq-ts/acl";
import {
  CreateAccessConfigRequestHeader,
  decodeHeader,
  DeleteAccessConfigRequestHeader,
  encodeHeader,
  GetBrokerAclConfigResponseHeader,
  RequestCode,
  ResponseCode,
  UpdateGlobalWhiteAddrsConfigRequestHeader,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { DataVersion } from "@rocketmq-ts/common";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail, ok } from "../answers.js";

const NOT_ENABLED = "The broker does not enable acl";

/** Java's UtilAll.split(str, ","): null stays null; Java's String.split drops trailing empty pieces. */
function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const pieces = value.split(",");
  while (pieces.length > 0 && pieces[pieces.length - 1] === "") pieces.pop();
  return pieces;
}

/** DataVersion as fastjson writes it (fields in name order). */
function dataVersionJson(v: DataVersion): string {
  return `{"counter":${v.counter},"timestamp":${v.timestamp}}`;
}

/**
 * One ACL change as AdminBrokerProcessor answers it: the failure code with "not enabled" without a
 * validator; SUCCESS when `change` says so; its exception's message, or Java's `refused` text when it
 * says no, with the failure code otherwise.
 */
function answerChange(
  ctx: BrokerContext,
  request: RemotingCommand,
  failedCode: number,
  change: (v: PlainAccessValidator) => boolean,
  refused: string,
  what: string,
): RemotingCommand {
  const v = ctx.accessValidator;
  if (!v) return fail(request, failedCode, NOT_ENABLED);
  try {
    if (change(v)) return ok(request);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.logger.error({ err: message }, `Failed to generate a proper ${what} response`);
    return fail(request, failedCode, message);
  }
  ctx.logger.warn(refused);
  return fail(request, failedCode, refused);
}

export function aclProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, (request) => {
    const h = decodeHeader(CreateAccessConfigRequestHeader, request.extFields);
    const config: PlainAccessConfig = {
      accessKey: h.accessKey,
      secretKey: h.secretKey,
      whiteRemoteAddress: h.whiteRemoteAddress,
      admin: h.admin,
      defaultTopicPerm: h.defaultTopicPerm,
      defaultGroupPerm: h.defaultGroupPerm,
      topicPerms: splitList(h.topicPerms),
      groupPerms: splitList(h.groupPerms),
    };
    return answerChange(
      ctx,
      request,
      ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED,
      (v) => v.updateAccessConfig(config),
      `The accesskey[${h.accessKey}] corresponding to accessConfig has been updated failed.`,
      "update accessvalidator",
    );
  });

  handlers.set(RequestCode.DELETE_ACL_CONFIG, (request, { remoteAddr }) => {
    const h = decodeHeader(DeleteAccessConfigRequestHeader, request.extFields);
    ctx.logger.info(`DeleteAccessConfig called by ${remoteAddr}`);
    return answerChange(
      ctx,
      request,
      ResponseCode.DELETE_ACL_CONFIG_FAILED,
      (v) => v.deleteAccessConfig(h.accessKey),
      `The accesskey[${h.accessKey}] corresponding to accessConfig has been deleted failed.`,
      "delete accessvalidator",
    );
  });

  handlers.set(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, (request) => {
    const h = decodeHeader(UpdateGlobalWhiteAddrsConfigRequestHeader, request.extFields);
    return answerChange(
      ctx,
      request,
      ResponseCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED,
      (v) => v.updateGlobalWhiteAddrsConfig(splitList(h.globalWhiteAddrs) ?? null, h.aclFileFullPath),
      `The globalWhiteAddresses[${h.globalWhiteAddrs}] has been updated failed.`,
      "update globalWhiteAddresses",
    );
  });

  handlers.set(RequestCode.GET_BROKER_CLUSTER_ACL_INFO, (request) => {
    const v = ctx.accessValidator;
    if (!v) return fail(request, ResponseCode.SYSTEM_ERROR, NOT_ENABLED);
    const all = [...v.manager.allAclConfigVersion()].map(
      ([file, dv]) => `${JSON.stringify(file)}:${dataVersionJson(dv)}`,
    );
    const response = ok(request);
    response.extFields = encodeHeader(GetBrokerAclConfigResponseHeader, {
      version: dataVersionJson(v.manager.aclConfigVersion()),
      allAclFileVersion: `{${all.join(",")}}`,
      brokerAddr: ctx.brokerAddr,
      brokerName: ctx.brokerConfig.brokerName,
      clusterName: ctx.brokerConfig.brokerClusterName,
    });
    return response;
  });

  return handlers;
}
