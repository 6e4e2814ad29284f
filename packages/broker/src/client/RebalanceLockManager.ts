/** Queue locks for orderly consumers (Java RebalanceLockManager): group → queue → holder, 60 s expiry. */
export interface MessageQueueKey {
  topic: string;
  brokerName: string;
  queueId: number;
}

const LOCK_MAX_LIVE_TIME = Number(process.env["ROCKETMQ_BROKER_REBALANCE_LOCK_MAX_LIVE_TIME"] ?? 60_000);

export function mqKey(mq: MessageQueueKey): string {
  return `${mq.topic}\u0001${mq.brokerName}\u0001${mq.queueId}`;
}

export class RebalanceLockManager {
  private readonly table = new Map<string, Map<string, { clientId: string; lastUpdate: number }>>();

  /** Lock what is free, expired or already ours; returns the queues the client now holds. */
  tryLockBatch(group: string, mqs: MessageQueueKey[], clientId: string, now = Date.now()): MessageQueueKey[] {
    let locks = this.table.get(group);
    if (!locks) this.table.set(group, (locks = new Map()));
    const granted: MessageQueueKey[] = [];
    for (const mq of mqs) {
      const key = mqKey(mq);
      const entry = locks.get(key);
      if (!entry || entry.clientId === clientId || now - entry.lastUpdate > LOCK_MAX_LIVE_TIME) {
        locks.set(key, { clientId, lastUpdate: now });
        granted.push(mq);
      }
    }
    return granted;
  }

  unlockBatch(group: string, mqs: MessageQueueKey[], clientId: string): void {
    const locks = this.table.get(group);
    if (!locks) return;
    for (const mq of mqs) {
      const key = mqKey(mq);
      if (locks.get(key)?.clientId === clientId) locks.delete(key);
    }
  }
}
