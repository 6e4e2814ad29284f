/** Producer groups known from heartbeats (for transaction checks and producerConnection). */
import type { Connection } from "@rocketmq-ts/remoting";
import type { ClientChannelInfo } from "./ConsumerManager.js";

export class ProducerManager {
  readonly groupChannelTable = new Map<string, Map<Connection, ClientChannelInfo>>();
  /** clientId → connection (request-reply pushes a reply to the requesting client). */
  private readonly clientChannelTable = new Map<string, Connection>();

  registerProducer(group: string, info: ClientChannelInfo): void {
    let channels = this.groupChannelTable.get(group);
    if (!channels) this.groupChannelTable.set(group, (channels = new Map()));
    const existing = channels.get(info.connection);
    if (existing) existing.lastUpdateTimestamp = info.lastUpdateTimestamp;
    else channels.set(info.connection, info);
    this.clientChannelTable.set(info.clientId, info.connection);
  }

  findChannel(clientId: string): Connection | null {
    const c = this.clientChannelTable.get(clientId);
    return c && !c.isClosed ? c : null;
  }

  unregisterProducer(group: string, connection: Connection): void {
    const channels = this.groupChannelTable.get(group);
    if (!channels) return;
    const info = channels.get(connection);
    channels.delete(connection);
    if (channels.size === 0) this.groupChannelTable.delete(group);
    // the client's other groups may still use this connection (request-reply finds clients by id)
    const stillUsed = [...this.groupChannelTable.values()].some((c) => c.has(connection));
    if (info && !stillUsed && this.clientChannelTable.get(info.clientId) === connection)
      this.clientChannelTable.delete(info.clientId);
  }

  /** A live connection of the group's producers, picked at random as Java does (for transaction checks). */
  getAvailableChannel(group: string): Connection | null {
    const live = [...(this.groupChannelTable.get(group)?.keys() ?? [])].filter((c) => !c.isClosed);
    return live[Math.floor(Math.random() * live.length)] ?? null;
  }

  doChannelCloseEvent(connection: Connection): void {
    for (const group of [...this.groupChannelTable.keys()]) this.unregisterProducer(group, connection);
  }

  scanNotActiveChannel(expiredMs = 120_000): void {
    const now = Date.now();
    for (const [group, channels] of [...this.groupChannelTable]) {
      for (const info of [...channels.values()]) {
        if (now - info.lastUpdateTimestamp > expiredMs) {
          info.connection.close("producer channel expired");
          this.unregisterProducer(group, info.connection);
        }
      }
    }
  }
}
