/**
 * The Ops page (rocketmq-dashboard's OpsController): the name-server list in use, which of them
 * answer, and switching to another list at run time. Requests without an address go to the list's
 * name servers with fail-over (the remoting client moves on when one does not answer).
 */
import { createRequest, RequestCode } from "@rocketmq-ts/remoting";
import type { MQAdminClient } from "@rocketmq-ts/client";
import { parseNamesrvAddrs } from "../config.js";

export interface NamesrvProbe {
  addr: string;
  ok: boolean;
  /** Round trip of GET_BROKER_CLUSTER_INFO (ms), when it answered. */
  rtMs?: number;
  error?: string;
}

export class NamesrvService {
  /** As configured (the remoting client keeps its own, shuffled as Java's, copy). */
  private addrs: string[];

  constructor(
    private readonly admin: MQAdminClient,
    configured: readonly string[],
    private readonly timeoutMillis: number,
  ) {
    this.addrs = [...configured];
  }

  list(): string[] {
    return [...this.addrs];
  }

  /** Replace the list (`a:9876;b:9876`); throws ConsoleConfigError naming the field on a bad one. */
  update(value: string): string[] {
    const addrs = parseNamesrvAddrs("namesrvAddr", value);
    this.admin.remoting.updateNameServerAddressList(addrs);
    this.addrs = addrs;
    return this.list();
  }

  async probe(): Promise<NamesrvProbe[]> {
    return Promise.all(
      this.list().map(async (addr) => {
        const began = performance.now();
        try {
          const res = await this.admin.remoting.invokeSync(
            addr,
            createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
            Math.min(this.timeoutMillis, 3000),
          );
          if (res.code !== 0) return { addr, ok: false, error: `code ${res.code}: ${res.remark ?? ""}` };
          return { addr, ok: true, rtMs: Math.round((performance.now() - began) * 10) / 10 };
        } catch (err) {
          return { addr, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }
}
