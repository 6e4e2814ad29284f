/** Permission bits of topics and brokers (PermName). */
export const PermName = {
  PERM_PRIORITY: 0x8,
  PERM_READ: 0x4,
  PERM_WRITE: 0x2,
  PERM_INHERIT: 0x1,
} as const;

export function isReadable(perm: number): boolean {
  return (perm & PermName.PERM_READ) === PermName.PERM_READ;
}

export function isWriteable(perm: number): boolean {
  return (perm & PermName.PERM_WRITE) === PermName.PERM_WRITE;
}

export function isInherited(perm: number): boolean {
  return (perm & PermName.PERM_INHERIT) === PermName.PERM_INHERIT;
}

/** Java's `PermName.perm2String`: R/W/X or '-' per bit. */
export function perm2String(perm: number): string {
  return `${isReadable(perm) ? "R" : "-"}${isWriteable(perm) ? "W" : "-"}${isInherited(perm) ? "X" : "-"}`;
}

/** TopicSysFlag bits. */
export const TopicSysFlag = {
  FLAG_UNIT: 0x1,
  FLAG_UNIT_SUB: 0x2,
} as const;

export const MixAll = {
  MASTER_ID: 0,
  DEFAULT_NAMESRV_PORT: 9876,
  RETRY_GROUP_TOPIC_PREFIX: "%RETRY%",
  DLQ_GROUP_TOPIC_PREFIX: "%DLQ%",
  AUTO_CREATE_TOPIC_KEY_TOPIC: "TBW102",
  FAQ_URL_SUFFIX: "\nSee http://rocketmq.apache.org/docs/faq/ for further details.",
  /** Internal group whose offsets track the transaction half and op queues. */
  CID_SYS_RMQ_TRANS: "CID_RMQ_SYS_TRANS",
} as const;

/** KV namespace holding order-topic queue layouts (`brokerA:4;brokerB:4`). */
export const NamesrvUtil = {
  NAMESPACE_ORDER_TOPIC_CONFIG: "ORDER_TOPIC_CONFIG",
} as const;
