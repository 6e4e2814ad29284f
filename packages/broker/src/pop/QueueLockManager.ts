/**
 * Java's PopMessageProcessor.QueueLockManager: a try-lock per `topic@group@queueId`. POP reads of a
 * queue, the offset commits of its checkpoints and orderly acks take it; a POP that finds the queue
 * busy skips it (counting its backlog). Single-threaded here: a lock is held across the awaits of
 * one request's read-and-checkpoint of that queue.
 */
export class QueueLockManager {
  private readonly locked = new Set<string>();

  tryLock(key: string): boolean {
    if (this.locked.has(key)) return false;
    this.locked.add(key);
    return true;
  }

  unLock(key: string): void {
    this.locked.delete(key);
  }

  isLocked(key: string): boolean {
    return this.locked.has(key);
  }
}
