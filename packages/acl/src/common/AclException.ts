/**
 * Java's `org.apache.rocketmq.acl.common.AclException`. A broker answers a request its ACL hook
 * refused with SYSTEM_ERROR and, as remark, the exception's `toString()`, `", "` and its first stack
 * frame (`RemotingHelper.exceptionSimpleDesc`). Clients and operators match on that text (Java's
 * `MQBrokerException: CODE: 1  DESC: …AclException: Check signature failed for accessKey=X, …`), so
 * each throw site here names the frame 4.9.8 reports for it (`PlainPermissionManager.java:684`
 * and so on, the line numbers of the 4.9.8 source).
 */
export class AclException extends Error {
  override readonly name = "AclException";
  readonly javaDesc: string;

  constructor(message: string, frame: JavaFrame = JavaFrame.none) {
    super(message);
    this.javaDesc = `org.apache.rocketmq.acl.common.AclException: ${message}${frame ? `, ${frame}` : ""}`;
  }
}

/** First stack frames of 4.9.8's throw sites, as `exceptionSimpleDesc` prints them. */
export const JavaFrame = {
  none: "",
  validateNoAccessKey: frame("plain.PlainPermissionManager", "validate", 664),
  validateNoConfig: frame("plain.PlainPermissionManager", "validate", 668),
  validateNoResource: frame("plain.PlainPermissionManager", "validate", 675),
  validateSignature: frame("plain.PlainPermissionManager", "validate", 684),
  checkPermAdmin: frame("plain.PlainPermissionManager", "checkPerm", 581),
  checkPermDefault: frame("plain.PlainPermissionManager", "checkPerm", 606),
  checkPermOwned: frame("plain.PlainPermissionManager", "checkPerm", 611),
  checkPlainAccessConfig: frame("plain.PlainPermissionManager", "checkPlainAccessConfig", 627),
  parse: frame("plain.PlainAccessValidator", "parse", 134),
} as const;
export type JavaFrame = (typeof JavaFrame)[keyof typeof JavaFrame];

function frame(cls: string, method: string, line: number): string {
  const simple = cls.slice(cls.lastIndexOf(".") + 1);
  return `org.apache.rocketmq.acl.${cls}.${method}(${simple}.java:${line})`;
}
