/** The broker's calls to name servers: REGISTER_BROKER to every one, UNREGISTER_BROKER at shutdown. */
import { crc32 } from "node:zlib";
import {
  decodeKVTable,
  encodeRegisterBrokerBody,
  LoggerName,
  namedLogger,
  type TopicConfigSerializeWrapper,
} from "@rocketmq-ts/common";
import {
  createOnewayRequest,
  createRequest,
  decodeHeader,
  encodeHeader,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  RemotingClient,
  RequestCode,
  UnRegisterBrokerRequestHeader,
  type ClientTls,
} from "@rocketmq-ts/remoting";
import type { Logger } from "pino";

export interface BrokerIdentity {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
}

export interface RegisterBrokerResult {
  masterAddr?: string;
  haServerAddr?: string;
  orderTopics?: Map<string, string>;
}

export class BrokerOuterAPI {
  readonly client: RemotingClient;

  /** `tls`: connections (to name servers and the master) are TLS sessions (Java's nettyClientConfig.useTLS). */
  constructor(
    private readonly logger: Logger,
    connectTimeoutMillis: number,
    tls?: ClientTls,
  ) {
    this.client = new RemotingClient({
      logger: namedLogger(logger, LoggerName.REMOTING),
      connectTimeoutMillis,
      ...(tls ? { useTLS: true, tls } : {}),
    });
  }

  /** Register with every name server in parallel; the first successful answer is returned. */
  async registerBrokerAll(
    namesrvAddrs: readonly string[],
    id: BrokerIdentity,
    wrapper: TopicConfigSerializeWrapper,
    options: { oneway: boolean; timeoutMillis: number; compressed: boolean },
  ): Promise<RegisterBrokerResult | null> {
    const body = encodeRegisterBrokerBody(
      { topicConfigSerializeWrapper: wrapper, filterServerList: [] },
      options.compressed,
    );
    const extFields = encodeHeader(RegisterBrokerRequestHeader, {
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      haServerAddr: id.haServerAddr,
      brokerId: id.brokerId,
      compressed: options.compressed,
      bodyCrc32: crc32(body) & 0x7fffffff,
    });
    const results = await Promise.all(
      namesrvAddrs.map(async (addr): Promise<RegisterBrokerResult | null> => {
        try {
          if (options.oneway) {
            await this.client.invokeOneway(
              addr,
              createOnewayRequest(RequestCode.REGISTER_BROKER, { extFields, body }),
              options.timeoutMillis,
            );
            return null;
          }
          const res = await this.client.invokeSync(
            addr,
            createRequest(RequestCode.REGISTER_BROKER, { extFields, body }),
            options.timeoutMillis,
          );
          if (res.code !== 0) {
            this.logger.warn({ namesrv: addr, code: res.code, remark: res.remark }, "register broker failed");
            return null;
          }
          const h = decodeHeader(RegisterBrokerResponseHeader, res.extFields);
          const result: RegisterBrokerResult = {};
          if (h.masterAddr) result.masterAddr = h.masterAddr;
          if (h.haServerAddr) result.haServerAddr = h.haServerAddr;
          if (res.body && res.body.length > 0) result.orderTopics = decodeKVTable(res.body);
          this.logger.info({ namesrv: addr }, "register broker to name server OK");
          return result;
        } catch (err) {
          this.logger.warn({ namesrv: addr, err: (err as Error).message }, "register broker to name server failed");
          return null;
        }
      }),
    );
    return results.find((r) => r !== null) ?? null;
  }

  async unregisterBrokerAll(namesrvAddrs: readonly string[], id: BrokerIdentity): Promise<void> {
    const extFields = encodeHeader(UnRegisterBrokerRequestHeader, {
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      brokerId: id.brokerId,
    });
    await Promise.all(
      namesrvAddrs.map(async (addr) => {
        try {
          await this.client.invokeSync(addr, createRequest(RequestCode.UNREGISTER_BROKER, { extFields }), 3000);
          this.logger.info({ namesrv: addr }, "unregisterBroker OK");
        } catch (err) {
          this.logger.warn({ namesrv: addr, err: (err as Error).message }, "unregisterBroker failed");
        }
      }),
    );
  }

  shutdown(): Promise<void> {
    return this.client.shutdown();
  }
}
