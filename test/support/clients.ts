/** Clients an e2e test file starts, shut down together (newest first) in its afterAll. */
import { DefaultMQProducer } from "@rocketmq-ts/client";

type ProducerOptions = ConstructorParameters<typeof DefaultMQProducer>[0];

export class StartedClients {
  private readonly clients: { shutdown(): Promise<void> }[] = [];

  push<T extends { shutdown(): Promise<void> }>(client: T): T {
    this.clients.push(client);
    return client;
  }

  async shutdownAll(): Promise<void> {
    for (const c of this.clients.splice(0).reverse()) await c.shutdown().catch(() => undefined);
  }

  /** A started DefaultMQProducer of `group`. */
  async producer(namesrvAddr: string, group: string, extra: Partial<ProducerOptions> = {}): Promise<DefaultMQProducer> {
    const p = new DefaultMQProducer({ namesrvAddr, producerGroup: group, ...extra });
    await p.start();
    return this.push(p);
  }
}
