/**
 * The benchmarks' `-a true`: sign every request for brokers with plain ACL, as Java's benchmark
 * classes do (`AclClient.getAclRPCHook(ak, sk)`, i.e. AclClientRPCHook with these credentials).
 */
import type { SessionCredentials } from "@rocketmq-ts/client";

/** Producer / Consumer defaults (Java's example AclClient): the admin account of conf/plain_acl.yml. */
export const ACL_ACCESS_KEY = "rocketmq2";
export const ACL_SECRET_KEY = "12345678";
/**
 * BatchProducer's secret-key default in 4.9.8's code ("12346789"; its help says 123456789): with
 * `-a true` and no `-e` it signs with a secret the shipped plain_acl.yml does not have, as Java's.
 */
export const BATCH_ACL_SECRET_KEY = "12346789";

/** `{ sessionCredentials }` for a client config when `aclEnable`, else nothing. */
export function aclCredentials(
  aclEnable: boolean,
  accessKey: string,
  secretKey: string,
): { sessionCredentials?: SessionCredentials } {
  return aclEnable ? { sessionCredentials: { accessKey, secretKey } } : {};
}
