/**
 * Java's TransactionDataManager (proxy/service/transaction): what EndTransaction needs to address a
 * half message — broker, tranStateTableOffset, commitLogOffset — recorded when the prepared message
 * is stored (or when a broker asks to check it), keyed by `producerGroup@transactionId`.
 * Entries expire `transactionDataExpireMillis` after their check time; at most
 * `transactionDataMaxNum` per key (the oldest go). `pollNoExpire` takes the newest live one;
 * `cleanExpired` (every `transactionDataExpireScanPeriodMillis`, Java's TransactionDataCleaner) drops
 * what expired, so the half messages of producers that never ended them do not pile up.
 */
export interface TransactionData {
  brokerName: string;
  brokerAddr: string;
  topic: string;
  tranStateTableOffset: number;
  commitLogOffset: number;
  transactionId: string;
  checkTimestamp: number;
  expireMs: number;
}

export class TransactionDataManager {
  private readonly table = new Map<string, TransactionData[]>();

  constructor(
    private readonly maxNum: number,
    private readonly now: () => number,
  ) {}

  private static key(producerGroup: string, transactionId: string): string {
    return `${producerGroup}@${transactionId}`;
  }

  add(producerGroup: string, data: TransactionData): void {
    const key = TransactionDataManager.key(producerGroup, data.transactionId);
    const list = (this.table.get(key) ?? []).filter((d) => !this.expired(d));
    list.push(data);
    while (list.length > this.maxNum) list.shift();
    this.table.set(key, list);
  }

  pollNoExpire(producerGroup: string, transactionId: string): TransactionData | null {
    const key = TransactionDataManager.key(producerGroup, transactionId);
    const list = (this.table.get(key) ?? []).filter((d) => !this.expired(d));
    const found = list.pop() ?? null;
    if (list.length === 0) this.table.delete(key);
    else this.table.set(key, list);
    return found;
  }

  cleanExpired(): void {
    for (const [key, list] of this.table) {
      const live = list.filter((d) => !this.expired(d));
      if (live.length === 0) this.table.delete(key);
      else if (live.length !== list.length) this.table.set(key, live);
    }
  }

  size(): number {
    let n = 0;
    for (const list of this.table.values()) n += list.length;
    return n;
  }

  private expired(d: TransactionData): boolean {
    return d.checkTimestamp + d.expireMs < this.now();
  }
}
