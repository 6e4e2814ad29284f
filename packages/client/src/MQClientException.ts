/** Errors as Java's client raises them: a response code (or client pseudo code) and a message. */
export class MQClientException extends Error {
  constructor(
    readonly responseCode: number,
    readonly errorMessage: string,
    cause?: unknown,
  ) {
    super(`CODE: ${responseCode}  DESC: ${errorMessage}`, cause === undefined ? undefined : { cause });
    this.name = "MQClientException";
  }
}

/** A broker answered with a code the client treats as a failure. */
export class MQBrokerException extends Error {
  constructor(
    readonly responseCode: number,
    readonly errorMessage: string,
  ) {
    super(`CODE: ${responseCode}  DESC: ${errorMessage}`);
    this.name = "MQBrokerException";
  }
}

/** Client-side pseudo codes (ClientErrorCode). */
export const ClientErrorCode = {
  CONNECT_BROKER_EXCEPTION: 10001,
  ACCESS_BROKER_TIMEOUT: 10002,
  BROKER_NOT_EXIST_EXCEPTION: 10003,
  NO_NAME_SERVER_EXCEPTION: 10004,
  NOT_FOUND_TOPIC_EXCEPTION: 10005,
} as const;
