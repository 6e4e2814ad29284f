/**
 * Java's SessionCredentials: an access key, its secret key and an optional security token. The ext
 * field names a signing client adds to every request are Java's constants.
 */
export const ACCESS_KEY = "AccessKey";
export const SECRET_KEY = "SecretKey";
export const SIGNATURE = "Signature";
export const SECURITY_TOKEN = "SecurityToken";
/** `MixAll.UNIQUE_MSG_QUERY_FLAG`: the broker leaves it out of the signed content (4.9.8 does). */
export const UNIQUE_MSG_QUERY_FLAG = "_UNIQUE_KEY_QUERY";

export interface SessionCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string | undefined;
}
