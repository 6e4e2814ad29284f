/**
 * One account as `plain_acl.yml` and the ACL admin requests spell it (Java's PlainAccessConfig).
 * `topicPerms` / `groupPerms` are `Res=Perm` entries; permissions `PUB`, `SUB`, `PUB|SUB`, `DENY`.
 */
export interface PlainAccessConfig {
  accessKey?: string | undefined;
  secretKey?: string | undefined;
  whiteRemoteAddress?: string | null | undefined;
  admin: boolean;
  defaultTopicPerm?: string | undefined;
  defaultGroupPerm?: string | undefined;
  topicPerms?: string[] | undefined;
  groupPerms?: string[] | undefined;
}

/** Java's AclConfig (what `getAllAclConfig` returns): the white lists and accounts of every file. */
export interface AclConfig {
  globalWhiteAddrs: string[];
  plainAccessConfigs: PlainAccessConfig[];
}

/** Key lengths must exceed this (Java's ACCESS_KEY_MIN_LENGTH / SECRET_KEY_MIN_LENGTH). */
export const KEY_MIN_LENGTH = 6;
