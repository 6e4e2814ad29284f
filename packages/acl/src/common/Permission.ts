import { RequestCode } from "@rocketmq-ts/remoting";
import { AclException } from "./AclException.js";

/**
 * Java's acl Permission: the bits an account owns on a topic or group, how `plain_acl.yml` spells
 * them, and the request codes only an admin account may send (4.9.8's ADMIN_CODE set: topic and
 * subscription-group create/delete and UPDATE_BROKER_CONFIG; the ACL codes 50–53 are **not** in it).
 */
export const Permission = {
  DENY: 1,
  ANY: 1 << 1,
  PUB: 1 << 2,
  SUB: 1 << 3,
} as const;

const ADMIN_CODES: ReadonlySet<number> = new Set([
  RequestCode.UPDATE_AND_CREATE_TOPIC,
  RequestCode.UPDATE_BROKER_CONFIG,
  RequestCode.DELETE_TOPIC_IN_BROKER,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
]);

export function needAdminPerm(code: number): boolean {
  return ADMIN_CODES.has(code);
}

export function checkPermission(neededPerm: number, ownedPerm: number): boolean {
  if ((ownedPerm & Permission.DENY) > 0) return false;
  if ((neededPerm & Permission.ANY) > 0) {
    return (ownedPerm & Permission.PUB) > 0 || (ownedPerm & Permission.SUB) > 0;
  }
  return (neededPerm & ownedPerm) > 0;
}

/** `PUB`, `SUB`, `PUB|SUB` / `SUB|PUB`, `DENY`; anything else (or nothing) is DENY, as Java. */
export function parsePermFromString(perm: string | null | undefined): number {
  switch (perm?.trim()) {
    case "PUB":
      return Permission.PUB;
    case "SUB":
      return Permission.SUB;
    case "PUB|SUB":
    case "SUB|PUB":
      return Permission.PUB | Permission.SUB;
    default:
      return Permission.DENY;
  }
}

/** Java's StringUtils.split on a single separator character: empty pieces dropped. */
export function splitNonEmpty(value: string, separator: string): string[] {
  return value.split(separator).filter((piece) => piece.length > 0);
}

/**
 * `Res=Perm` entries of an account (topicPerms / groupPerms), as Java checks what an admin sends:
 * the shape, and a permission other than DENY that parses as DENY.
 */
export function checkResourcePerms(resources: readonly string[] | null | undefined): void {
  for (const resource of resources ?? []) {
    const items = splitNonEmpty(resource, "=");
    if (items.length !== 2) {
      throw new AclException(
        `Parse Resource format error for ${resource}.\nThe expected resource format is 'Res=Perm'. For example: topicA=SUB`,
      );
    }
    const perm = items[1]!.trim();
    if (perm !== "DENY" && parsePermFromString(perm) === Permission.DENY) {
      throw new AclException(
        `Parse resource permission error for ${resource}.\nThe expected permissions are 'SUB' or 'PUB' or 'SUB|PUB' or 'PUB|SUB'.`,
      );
    }
  }
}
