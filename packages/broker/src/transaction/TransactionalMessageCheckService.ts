/**
 * Runs the back-check round every transactionCheckInterval on a master (first round one interval
 * after start) and once more when the broker shuts down, as 4.9.8's service thread does.
 */
import { LoggerName, namedLogger } from "@rocketmq-ts/common";
import type { Logger } from "pino";
import type { BrokerContext } from "../BrokerContext.js";
import type { TransactionalMessageService } from "./TransactionalMessageService.js";

export class TransactionalMessageCheckService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private transactionLog: Logger | undefined;

  /** Java's RocketmqTransaction logger (transaction.log). */
  private get log(): Logger {
    return (this.transactionLog ??= namedLogger(this.ctx.logger, LoggerName.TRANSACTION));
  }

  constructor(
    private readonly ctx: BrokerContext,
    private readonly service: TransactionalMessageService,
  ) {}

  start(): void {
    if (this.timer) return;
    this.log.info("Start transaction check service thread!");
    const schedule = (): void => {
      this.timer = setTimeout(() => {
        void this.runRound().finally(() => {
          if (this.timer) schedule();
        });
      }, this.ctx.brokerConfig.transactionCheckInterval);
      this.timer.unref();
    };
    schedule();
  }

  /** One round now (the interval timer and shutdown call this). */
  runRound(): Promise<void> {
    this.running ??= (async () => {
      const bc = this.ctx.brokerConfig;
      const begin = Date.now();
      this.log.info({ begin }, "Begin to check prepare message");
      await this.service.check(bc.transactionTimeOut, bc.transactionCheckMax);
      this.log.info({ cost: Date.now() - begin }, "End to check prepare message");
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async shutdown(): Promise<void> {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    await this.runRound();
    this.log.info("End transaction check service thread!");
  }
}
