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

function failure(request: RemotingCommand, code: number, err: unknown): RemotingCommand {
  return fail(request, code, err instanceof Error ? err.message : String(err));
}

export function aclProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();
  const validator = (): PlainAccessValidator | null => ctx.accessValidator;

  handlers.set(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, (request) => {
    const code = ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED;
    const h = decodeHeader(CreateAccessConfigRequestHeader, request.extFields);
    const v = validator();
    if (!v) return fail(request, code, NOT_ENABLED);
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
    try {
      if (v.updateAccessConfig(config)) return ok(request);
    } catch (err) {
      ctx.logger.error({ err: (err as Error).message }, "Failed to generate a proper update accessvalidator response");
      return failure(request, code, err);
    }
    const remark = `The accesskey[${h.accessKey}] corresponding to accessConfig has been updated failed.`;
    ctx.logger.warn(remark);
    return fail(request, code, remark);
  });

  handlers.set(RequestCode.DELETE_ACL_CONFIG, (request, { remoteAddr }) => {
    const code = ResponseCode.DELETE_ACL_CONFIG_FAILED;
    const h = decodeHeader(DeleteAccessConfigRequestHeader, request.extFields);
    ctx.logger.info(`DeleteAccessConfig called by ${remoteAddr}`);
    const v = validator();
    if (!v) return fail(request, code, NOT_ENABLED);
    try {
      if (v.deleteAccessConfig(h.accessKey)) return ok(request);
    } catch (err) {
      ctx.logger.error({ err: (err as Error).message }, "Failed to generate a proper delete accessvalidator response");
      return failure(request, code, err);
    }
    const remark = `The accesskey[${h.accessKey}] corresponding to accessConfig has been deleted failed.`;
    ctx.logger.warn(remark);
    return fail(request, code, remark);
  });

  handlers.set(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, (request) => {
    const code = ResponseCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED;
    const h = decodeHeader(UpdateGlobalWhiteAddrsConfigRequestHeader, request.extFields);
    const v = validator();
    if (!v) return fail(request, code, NOT_ENABLED);
    try {
      if (v.updateGlobalWhiteAddrsConfig(splitList(h.globalWhiteAddrs) ?? null, h.aclFileFullPath)) {
        return ok(request);
      }
    } catch (err) {
      ctx.logger.error(
        { err: (err as Error).message },
        "Failed to generate a proper update globalWhiteAddresses response",
      );
      return failure(request, code, err);
    }
    const remark = `The globalWhiteAddresses[${h.globalWhiteAddrs}] has been updated failed.`;
    ctx.logger.warn(remark);
    return fail(request, code, remark);
  });

  handlers.set(RequestCode.GET_BROKER_CLUSTER_ACL_INFO, (request) => {
    const v = validator();
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
