/** Wires the name server: remoting server, processors, route/KV tables, housekeeping timers. */
import {
  applyProperties,
  configLines,
  ConfigError,
  LoggerName,
  namedLogger,
  propertiesToString,
  string2File,
  type ConfigOf,
} from "@rocketmq-ts/common";
import { RemotingServer, ServerTlsWatcher, type Connection, type ServerTls } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { KVConfigManager } from "./kvconfig/KVConfigManager.js";
import { nettyServerConfigSpec, type NamesrvConfigSpec } from "./NamesrvConfig.js";
import { namesrvProcessors, type NamesrvConfiguration } from "./processor/DefaultRequestProcessor.js";
import { BROKER_CHANNEL_EXPIRED_TIME, RouteInfoManager } from "./routeinfo/RouteInfoManager.js";

export type NamesrvConfig = ConfigOf<NamesrvConfigSpec>;
export type NettyServerConfig = ConfigOf<typeof nettyServerConfigSpec>;

export interface NamesrvControllerOptions {
  namesrvConfig: NamesrvConfig;
  namesrvConfigSpec: NamesrvConfigSpec;
  nettyServerConfig: NettyServerConfig;
  logger: Logger;
  /** Bind address (Java binds every interface). */
  bindAddress?: string;
  /** Liveness scan period and expiry; Java's are 10 s (first after 5 s) and 120 s. */
  scanIntervalMs?: number;
  brokerExpiredMs?: number;
  /** Key/values of the -c file, kept so that config rewrites do not drop them. */
  fileProperties?: Map<string, string>;
  /** TLS on the port (`tls.server.mode` and its settings); absent: plain only. */
  tls?: ServerTls;
}

export class NamesrvController {
  readonly routeInfoManager: RouteInfoManager;
  readonly kvConfigManager: KVConfigManager;
  readonly remotingServer: RemotingServer;
  /** Reloads the TLS credentials when their files change (Java's FileWatchService). */
  private readonly tlsWatcher: ServerTlsWatcher | null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logger: Logger;

  constructor(private readonly options: NamesrvControllerOptions) {
    this.logger = options.logger;
    this.routeInfoManager = new RouteInfoManager(this.logger);
    this.kvConfigManager = new KVConfigManager(options.namesrvConfig.kvConfigPath, this.logger);
    const netty = options.nettyServerConfig;
    this.remotingServer = new RemotingServer({
      listenPort: netty.listenPort,
      bindAddress: options.bindAddress ?? "0.0.0.0",
      serverChannelMaxIdleTimeSeconds: netty.serverChannelMaxIdleTimeSeconds,
      serverOnewaySemaphoreValue: netty.serverOnewaySemaphoreValue,
      serverAsyncSemaphoreValue: netty.serverAsyncSemaphoreValue,
      ioThreads: netty.serverSelectorThreads,
      ...(options.tls ? { tls: options.tls } : {}),
      logger: namedLogger(this.logger, LoggerName.REMOTING),
    });
    this.tlsWatcher = options.tls
      ? new ServerTlsWatcher(options.tls, [this.remotingServer], namedLogger(this.logger, LoggerName.REMOTING))
      : null;
    const processors = namesrvProcessors({
      routeInfoManager: this.routeInfoManager,
      kvConfigManager: this.kvConfigManager,
      configuration: this.configuration(),
      logger: this.logger,
    });
    for (const [code, processor] of processors) this.remotingServer.registerProcessor(code, processor);
    // BrokerHousekeepingService: a closed broker connection removes that broker at once.
    this.remotingServer.on("close", (conn: Connection) =>
      this.routeInfoManager.onChannelDestroy(conn.remoteAddr, conn),
    );
  }

  private configuration(): NamesrvConfiguration {
    const { namesrvConfig, namesrvConfigSpec, nettyServerConfig } = this.options;
    return {
      get orderMessageEnable() {
        return namesrvConfig.orderMessageEnable;
      },
      allConfigsFormatString: () => this.allConfigLines().join("\n") + "\n",
      update: (props) => {
        const blackList = new Set((namesrvConfig.configBlackList ?? "").split(";").filter(Boolean));
        for (const key of props.keys()) {
          if (blackList.has(key)) throw new ConfigError(key, "Can not update config in black list.");
        }
        // validate everything before changing anything
        const trialNamesrv = { ...namesrvConfig };
        const trialNetty = { ...nettyServerConfig };
        applyProperties(trialNamesrv, namesrvConfigSpec, props);
        applyProperties(trialNetty, nettyServerConfigSpec, props);
        Object.assign(namesrvConfig, trialNamesrv);
        Object.assign(nettyServerConfig, trialNetty);
        this.logger.info({ props: Object.fromEntries(props) }, "update namesrv config");
        this.persistConfig();
      },
    };
  }

  private allConfigLines(): string[] {
    return [
      ...configLines(nettyServerConfigSpec, this.options.nettyServerConfig, { omitNull: true }),
      ...configLines(this.options.namesrvConfigSpec, this.options.namesrvConfig, { omitNull: true }),
    ];
  }

  private persistConfig(): void {
    const merged = new Map(this.options.fileProperties ?? []);
    for (const line of this.allConfigLines()) {
      const i = line.indexOf("=");
      merged.set(line.slice(0, i), line.slice(i + 1));
    }
    const path = this.options.namesrvConfig.configStorePath;
    try {
      string2File(propertiesToString(merged), path);
    } catch (err) {
      this.logger.error({ path, err: (err as Error).message }, "persist namesrv config failed");
    }
  }

  async start(): Promise<number> {
    this.kvConfigManager.load();
    const port = await this.remotingServer.start();
    this.tlsWatcher?.start();
    const scanMs = this.options.scanIntervalMs ?? 10_000;
    const expiredMs = this.options.brokerExpiredMs ?? BROKER_CHANNEL_EXPIRED_TIME;
    const first = setTimeout(
      () => {
        this.routeInfoManager.scanNotActiveBroker(expiredMs);
        this.timers.push(setInterval(() => this.routeInfoManager.scanNotActiveBroker(expiredMs), scanMs));
      },
      Math.min(5_000, scanMs),
    );
    const kvPrint = setTimeout(() => {
      this.kvConfigManager.printAll();
      this.timers.push(setInterval(() => this.kvConfigManager.printAll(), 600_000));
    }, 60_000);
    this.timers.push(first, kvPrint);
    for (const t of this.timers) t.unref?.();
    return port;
  }

  async shutdown(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.tlsWatcher?.stop();
    await this.remotingServer.shutdown();
  }
}
