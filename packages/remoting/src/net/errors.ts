/** Error kinds named after Java's remoting exceptions so callers can map them to client error codes. */
export class RemotingException extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Could not connect (or no name server could be reached). */
export class RemotingConnectException extends RemotingException {
  constructor(
    readonly addr: string,
    detail?: string,
  ) {
    super(`connect to ${addr} failed${detail ? `: ${detail}` : ""}`);
  }
}

/** No response within the timeout. */
export class RemotingTimeoutException extends RemotingException {}

/** The request could not be written, or the connection closed before the response came. */
export class RemotingSendRequestException extends RemotingException {
  constructor(
    readonly addr: string,
    detail?: string,
  ) {
    super(`send request to <${addr}> failed${detail ? `: ${detail}` : ""}`);
  }
}

/** Too many async/oneway requests outstanding (semaphore not acquired in time). */
export class RemotingTooMuchRequestException extends RemotingException {}

/**
 * An error that knows the remark a Java server would answer for it: Java answers a failed request
 * SYSTEM_ERROR with `RemotingHelper.exceptionSimpleDesc(e)`, the exception's `toString()` then
 * `", "` and its first stack frame (e.g. ACL's `org.apache.rocketmq.acl.common.AclException: Check
 * signature failed for accessKey=X, org.apache…PlainPermissionManager.validate(…java:684)`).
 */
export interface JavaDescribedError extends Error {
  readonly javaDesc: string;
}

export function isJavaDescribedError(e: unknown): e is JavaDescribedError {
  return e instanceof Error && typeof (e as Partial<JavaDescribedError>).javaDesc === "string";
}
