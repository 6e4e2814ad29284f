import { MixAll } from "@rocketmq-ts/common";
import type { SignedContent } from "../common/AclSigner.js";

/**
 * What one request asks for (Java's PlainAccessResource as `PlainAccessValidator.parse` fills it):
 * the client's IP, the request code, the credentials it sent, the topics and groups it touches with
 * the permission each needs (a group as its retry topic `%RETRY%group`), and the signed content.
 */
export interface RequestAccess {
  /** Client IP without port. */
  readonly whiteRemoteAddress: string;
  readonly requestCode: number;
  readonly accessKey?: string | undefined;
  readonly signature?: string | undefined;
  readonly secretToken?: string | undefined;
  /** Resource → needed permission; null when the request touches none. */
  readonly resourcePermMap: ReadonlyMap<string, number> | null;
  /** What the client signed; null when the request carried no ext fields. */
  readonly content: SignedContent | null;
}

/** One account of `plain_acl.yml` as the broker checks it. */
export interface OwnedAccess {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly whiteRemoteAddress: string | null;
  readonly admin: boolean;
  readonly defaultTopicPerm: number;
  readonly defaultGroupPerm: number;
  /** Topics, and groups as `%RETRY%group`; null when the account lists none. */
  readonly resourcePermMap: ReadonlyMap<string, number> | null;
}

const RETRY = MixAll.RETRY_GROUP_TOPIC_PREFIX;

export function isRetryTopic(topic: string | null | undefined): boolean {
  return topic !== null && topic !== undefined && topic.startsWith(RETRY);
}

export function getRetryTopic(group: string | null | undefined): string | null {
  return group === null || group === undefined ? null : RETRY + group;
}

/** `topic:X` or `group:X`, as Java's messages print a resource. */
export function printStr(resource: string, isGroup: boolean): string {
  return isGroup ? `group:${resource.slice(RETRY.length)}` : `topic:${resource}`;
}
