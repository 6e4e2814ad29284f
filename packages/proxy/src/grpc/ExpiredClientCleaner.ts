/**
 * Forgets clients that died without NotifyClientTermination (Java's proxy scans its producer and
 * consumer managers every 10 s and unregisters a client not heard of for more than
 * `channelExpiredTimeout`, 120 s; the unregister event removes the gRPC channel and settings and
 * clears the client's receipt handles).
 *
 * Each scan (ProxyServer runs one every `channelExpiredScanPeriodMillis`): a client last heard of
 * more than `channelExpiredTimeout` ago loses its settings and channel (and, in local mode, its
 * place in the broker's ConsumerManager); the producer groups the proxy heartbeats to brokers are
 * recomputed when it stood for any, and its auto-renewed receipt handles are made visible again
 * after `invisibleTimeMillisWhenClear`.
 */
import type { ProxyDeps } from "../ProxyDeps.js";

export class ExpiredClientCleaner {
  constructor(private readonly deps: ProxyDeps) {}

  /** One sweep: the client ids that were expired. */
  async scan(): Promise<string[]> {
    const { channels, settings, receiptHandles, messageService, consumers, config, logger } = this.deps;
    const expired = channels.inactiveClients(this.deps.now() - config.channelExpiredTimeout);
    let producerGroupsChanged = false;
    const clears: Promise<void>[] = [];
    for (const clientId of expired) {
      channels.forgetActivity(clientId);
      settings.removeClientSettings(clientId);
      const channel = channels.removeChannel(clientId);
      if (channel !== undefined && channel.producerGroups.size > 0) producerGroupsChanged = true;
      consumers.unregisterClient(clientId);
      clears.push(receiptHandles.clearClient(clientId));
      logger.info({ clientId }, "client channel expired");
    }
    if (producerGroupsChanged) messageService.updateClientGroups(channels.allProducerGroups());
    await Promise.all(clears);
    return expired;
  }
}
