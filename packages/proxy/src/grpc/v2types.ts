/**
 * TypeScript shapes of the `apache.rocketmq.v2` messages the proxy reads and writes, as
 * @grpc/proto-loader hands them over with the options in `proto.ts` (snake_case names, enums as
 * names, int64 as number, absent fields `undefined`). Only the fields the proxy uses are listed.
 * Outgoing messages may carry enum numbers too (protobufjs accepts both).
 */

export interface Duration {
  seconds?: number | string;
  nanos?: number;
}
export interface Timestamp {
  seconds?: number | string;
  nanos?: number;
}
export interface Resource {
  resource_namespace?: string;
  name?: string;
}
export type AddressScheme = "ADDRESS_SCHEME_UNSPECIFIED" | "IPv4" | "IPv6" | "DOMAIN_NAME";
export interface Address {
  host?: string;
  port?: number;
}
export interface Endpoints {
  scheme?: AddressScheme;
  addresses?: Address[];
}
export interface Broker {
  name?: string;
  id?: number;
  endpoints?: Endpoints;
}
export type Permission = "PERMISSION_UNSPECIFIED" | "NONE" | "READ" | "WRITE" | "READ_WRITE";
export type MessageType =
  "MESSAGE_TYPE_UNSPECIFIED" | "NORMAL" | "FIFO" | "DELAY" | "TRANSACTION" | "LITE" | "PRIORITY";
export interface MessageQueue {
  topic?: Resource;
  id?: number;
  permission?: Permission;
  broker?: Broker;
  accept_message_types?: MessageType[];
}
export type FilterType = "FILTER_TYPE_UNSPECIFIED" | "TAG" | "SQL";
export interface FilterExpression {
  type?: FilterType;
  expression?: string;
}
export type DigestType = "DIGEST_TYPE_UNSPECIFIED" | "CRC32" | "MD5" | "SHA1";
export type Encoding = "ENCODING_UNSPECIFIED" | "IDENTITY" | "GZIP";
export type ClientType =
  | "CLIENT_TYPE_UNSPECIFIED"
  | "PRODUCER"
  | "PUSH_CONSUMER"
  | "SIMPLE_CONSUMER"
  | "PULL_CONSUMER"
  | "LITE_PUSH_CONSUMER"
  | "LITE_SIMPLE_CONSUMER";

export interface SystemProperties {
  tag?: string;
  keys?: string[];
  message_id?: string;
  body_digest?: { type?: DigestType; checksum?: string };
  body_encoding?: Encoding;
  message_type?: MessageType;
  born_timestamp?: Timestamp;
  born_host?: string;
  store_timestamp?: Timestamp;
  store_host?: string;
  delivery_timestamp?: Timestamp;
  receipt_handle?: string;
  queue_id?: number;
  queue_offset?: number;
  invisible_duration?: Duration;
  delivery_attempt?: number;
  message_group?: string;
  trace_context?: string;
  orphaned_transaction_recovery_duration?: Duration;
  dead_letter_queue?: { topic?: string; message_id?: string };
}
export interface Message {
  topic?: Resource;
  user_properties?: Record<string, string>;
  system_properties?: SystemProperties;
  body?: Buffer;
}

/** `Status.code` is read as a name and written as a number (the `Code` table). */
export interface Status {
  code?: number | string;
  message?: string;
}

export interface ExponentialBackoff {
  initial?: Duration;
  max?: Duration;
  multiplier?: number;
}
export interface RetryPolicy {
  max_attempts?: number;
  exponential_backoff?: ExponentialBackoff;
  customized_backoff?: { next?: Duration[] };
  strategy?: "exponential_backoff" | "customized_backoff";
}
export interface SubscriptionEntry {
  topic?: Resource;
  expression?: FilterExpression;
}
export interface Publishing {
  topics?: Resource[];
  max_body_size?: number;
  validate_message_type?: boolean;
}
export interface Subscription {
  group?: Resource;
  subscriptions?: SubscriptionEntry[];
  fifo?: boolean;
  receive_batch_size?: number;
  long_polling_timeout?: Duration;
}
export interface Settings {
  client_type?: ClientType;
  access_point?: Endpoints;
  backoff_policy?: RetryPolicy;
  request_timeout?: Duration;
  publishing?: Publishing;
  subscription?: Subscription;
  pub_sub?: "publishing" | "subscription";
  user_agent?: { language?: string; version?: string; platform?: string; hostname?: string };
  metric?: { on?: boolean };
}

export interface TelemetryCommand {
  status?: Status;
  settings?: Settings;
  thread_stack_trace?: { nonce?: string; thread_stack_trace?: string };
  verify_message_result?: { nonce?: string };
  recover_orphaned_transaction_command?: { message?: Message; transaction_id?: string };
  print_thread_stack_trace_command?: { nonce?: string };
  verify_message_command?: { nonce?: string; message?: Message };
  command?: string;
}

export interface QueryRouteRequest {
  topic?: Resource;
  endpoints?: Endpoints;
}
export interface QueryRouteResponse {
  status: Status;
  message_queues?: MessageQueue[];
}
export interface HeartbeatRequest {
  group?: Resource;
  client_type?: ClientType;
}
export interface StatusResponse {
  status: Status;
}
export interface QueryAssignmentRequest {
  topic?: Resource;
  group?: Resource;
  endpoints?: Endpoints;
}
export interface QueryAssignmentResponse {
  status: Status;
  assignments?: { message_queue: MessageQueue }[];
}
export interface SendMessageRequest {
  messages?: Message[];
}
export interface SendResultEntry {
  status: Status;
  message_id?: string;
  transaction_id?: string;
  offset?: number;
  recall_handle?: string;
}
export interface SendMessageResponse {
  status: Status;
  entries?: SendResultEntry[];
}
export interface RecallMessageRequest {
  topic?: Resource;
  recall_handle?: string;
}
export interface RecallMessageResponse {
  status: Status;
  message_id?: string;
}
export type TransactionResolution = "TRANSACTION_RESOLUTION_UNSPECIFIED" | "COMMIT" | "ROLLBACK";
export type TransactionSource = "SOURCE_UNSPECIFIED" | "SOURCE_CLIENT" | "SOURCE_SERVER_CHECK";
export interface EndTransactionRequest {
  topic?: Resource;
  message_id?: string;
  transaction_id?: string;
  resolution?: TransactionResolution;
  source?: TransactionSource;
  trace_context?: string;
}
export interface NotifyClientTerminationRequest {
  group?: Resource;
}
export interface ReceiveMessageRequest {
  group?: Resource;
  message_queue?: MessageQueue;
  filter_expression?: FilterExpression;
  batch_size?: number;
  invisible_duration?: Duration;
  auto_renew?: boolean;
  long_polling_timeout?: Duration;
  attempt_id?: string;
}
export interface ReceiveMessageResponse {
  status?: Status;
  message?: Message;
  delivery_timestamp?: Timestamp;
}
export interface AckMessageEntry {
  message_id?: string;
  receipt_handle?: string;
}
export interface AckMessageRequest {
  group?: Resource;
  topic?: Resource;
  entries?: AckMessageEntry[];
}
export interface AckMessageResultEntry {
  message_id?: string;
  receipt_handle?: string;
  status: Status;
}
export interface AckMessageResponse {
  status: Status;
  entries?: AckMessageResultEntry[];
}
export interface ChangeInvisibleDurationRequest {
  group?: Resource;
  topic?: Resource;
  receipt_handle?: string;
  invisible_duration?: Duration;
  message_id?: string;
}
export interface ChangeInvisibleDurationResponse {
  status: Status;
  receipt_handle?: string;
}
export interface ForwardMessageToDeadLetterQueueRequest {
  group?: Resource;
  topic?: Resource;
  receipt_handle?: string;
  message_id?: string;
  delivery_attempt?: number;
  max_delivery_attempts?: number;
}

/** Duration / Timestamp ↔ milliseconds. */
export function durationToMillis(d: Duration | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1_000_000);
}
export function millisToDuration(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}
export const timestampToMillis = durationToMillis;
export const millisToTimestamp = millisToDuration;
