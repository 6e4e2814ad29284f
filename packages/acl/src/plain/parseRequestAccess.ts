import { decodeHeartbeatData } from "@rocketmq-ts/common";
import {
  commandBody,
  decodeHeader,
  GetConsumerListByGroupRequestHeader,
  RequestCode,
  UnregisterClientRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { AclException, JavaFrame } from "../common/AclException.js";
import { requestContent } from "../common/AclSigner.js";
import { Permission } from "../common/Permission.js";
import { ACCESS_KEY, SECURITY_TOKEN, SIGNATURE, UNIQUE_MSG_QUERY_FLAG } from "../common/SessionCredentials.js";
import { getRetryTopic, isRetryTopic, type RequestAccess } from "./PlainAccessResource.js";

/**
 * Java's `PlainAccessValidator.parse`: what a request needs, by request code (4.9.8's table):
 *
 * | code | needs |
 * | --- | --- |
 * | SEND_MESSAGE / _V2 | PUB on the topic; a send to a retry topic needs SUB on the producer group's retry topic |
 * | CONSUMER_SEND_MSG_BACK | SUB on the group |
 * | PULL_MESSAGE | SUB on the topic and the group |
 * | QUERY_MESSAGE | SUB on the topic |
 * | HEART_BEAT | SUB on each consumer group and each subscribed topic |
 * | UNREGISTER_CLIENT, GET_CONSUMER_LIST_BY_GROUP | SUB on the group |
 * | UPDATE_CONSUMER_OFFSET | SUB on the group and the topic |
 *
 * Other codes need no resource (only the signature, and admin for the admin codes). A request
 * without ext fields carries no credentials (only a white-listed address lets it through). A
 * header or body that cannot be read fails as Java's does, an AclException with the reason.
 */
export function parseRequestAccess(request: RemotingCommand, remoteAddr: string): RequestAccess {
  const colon = remoteAddr.lastIndexOf(":");
  const whiteRemoteAddress = colon >= 0 ? remoteAddr.slice(0, colon) : remoteAddr;
  const ext = request.extFields;
  if (ext === null) {
    return { whiteRemoteAddress, requestCode: request.code, resourcePermMap: null, content: null };
  }
  const perms = new Map<string, number>();
  const add = (resource: string | null | undefined, perm: number): void => {
    if (resource !== null && resource !== undefined) perms.set(resource, perm);
  };
  try {
    switch (request.code) {
      case RequestCode.SEND_MESSAGE:
        if (isRetryTopic(ext["topic"])) add(getRetryTopic(ext["group"]), Permission.SUB);
        else add(ext["topic"], Permission.PUB);
        break;
      case RequestCode.SEND_MESSAGE_V2:
        if (isRetryTopic(ext["b"])) add(getRetryTopic(ext["a"]), Permission.SUB);
        else add(ext["b"], Permission.PUB);
        break;
      case RequestCode.CONSUMER_SEND_MSG_BACK:
        add(getRetryTopic(ext["group"]), Permission.SUB);
        break;
      case RequestCode.PULL_MESSAGE:
        add(ext["topic"], Permission.SUB);
        add(getRetryTopic(ext["consumerGroup"]), Permission.SUB);
        break;
      case RequestCode.QUERY_MESSAGE:
        add(ext["topic"], Permission.SUB);
        break;
      case RequestCode.HEART_BEAT:
        for (const consumer of decodeHeartbeatData(commandBody(request)).consumerDataSet) {
          add(getRetryTopic(consumer.groupName), Permission.SUB);
          for (const sub of consumer.subscriptionDataSet) add(sub.topic, Permission.SUB);
        }
        break;
      case RequestCode.UNREGISTER_CLIENT:
        add(getRetryTopic(decodeHeader(UnregisterClientRequestHeader, ext).consumerGroup), Permission.SUB);
        break;
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
        add(getRetryTopic(decodeHeader(GetConsumerListByGroupRequestHeader, ext).consumerGroup), Permission.SUB);
        break;
      case RequestCode.UPDATE_CONSUMER_OFFSET: {
        const header = decodeHeader(UpdateConsumerOffsetRequestHeader, ext);
        add(getRetryTopic(header.consumerGroup), Permission.SUB);
        add(header.topic, Permission.SUB);
        break;
      }
      default:
        break;
    }
  } catch (err) {
    throw new AclException(err instanceof Error ? err.message : String(err), JavaFrame.parse);
  }
  return {
    whiteRemoteAddress,
    requestCode: request.code,
    accessKey: ext[ACCESS_KEY],
    signature: ext[SIGNATURE],
    secretToken: ext[SECURITY_TOKEN],
    resourcePermMap: perms.size > 0 ? perms : null,
    content: requestContent(ext, commandBody(request), UNIQUE_MSG_QUERY_FLAG),
  };
}
