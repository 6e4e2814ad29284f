/** Topic configurations of this broker: system topics, topics.json, auto-creation (Java TopicConfigManager). */
import {
  decodeTopicConfig,
  newTopicConfig,
  PermName,
  isInherited,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
} from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import type { BrokerConfig } from "../config/BrokerConfig.js";
import { VersionedConfigManager } from "../config/VersionedConfigManager.js";
import { isSystemTopicName, TopicValidator } from "./TopicValidator.js";

/** topics.json as written: the data version and topic name → TopicConfig. */
type TopicsFile = TopicConfigSerializeWrapper;

export class TopicConfigManager extends VersionedConfigManager<TopicConfig, TopicsFile> {
  readonly systemTopics = new Set<string>();

  constructor(
    private readonly brokerConfig: BrokerConfig,
    storeRoot: string,
    private readonly logger: Logger,
    /** Called after a topic is created or changed (the broker re-registers with the name servers). */
    private readonly onChanged: (topic: TopicConfig) => void = () => undefined,
  ) {
    super(storeRoot, "topics.json", "topicConfigTable", logger);
    this.createSystemTopics();
  }

  get topicConfigTable(): Map<string, TopicConfig> {
    return this.table;
  }

  protected decodeRow(json: JsonValue, name: string): TopicConfig {
    return decodeTopicConfig(json, `topicConfigTable.${name}`);
  }

  protected rowName(config: TopicConfig): string {
    return config.topicName;
  }

  protected encode(): TopicsFile {
    return { dataVersion: this.dataVersion, topicConfigTable: this.topicConfigTable };
  }

  private addSystem(config: TopicConfig): void {
    this.topicConfigTable.set(config.topicName, config);
    this.systemTopics.add(config.topicName);
  }

  private createSystemTopics(): void {
    const c = this.brokerConfig;
    const rw = PermName.PERM_READ | PermName.PERM_WRITE;
    this.addSystem(newTopicConfig(TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, { readQueueNums: 1, writeQueueNums: 1 }));
    if (c.autoCreateTopicEnable) {
      this.addSystem(
        newTopicConfig(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, {
          readQueueNums: c.defaultTopicQueueNums,
          writeQueueNums: c.defaultTopicQueueNums,
          perm: PermName.PERM_INHERIT | rw,
        }),
      );
    }
    this.addSystem(
      newTopicConfig(TopicValidator.RMQ_SYS_BENCHMARK_TOPIC, { readQueueNums: 1024, writeQueueNums: 1024 }),
    );
    this.addSystem(
      newTopicConfig(c.brokerClusterName, { perm: PermName.PERM_INHERIT | (c.clusterTopicEnable ? rw : 0) }),
    );
    this.addSystem(
      newTopicConfig(c.brokerName, {
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: PermName.PERM_INHERIT | (c.brokerTopicEnable ? rw : 0),
      }),
    );
    this.addSystem(newTopicConfig(TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT, { readQueueNums: 1, writeQueueNums: 1 }));
    this.addSystem(newTopicConfig(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, { readQueueNums: 18, writeQueueNums: 18 }));
    if (c.traceTopicEnable)
      this.addSystem(newTopicConfig(c.msgTraceTopicName, { readQueueNums: 1, writeQueueNums: 1 }));
    this.addSystem(newTopicConfig(`${c.brokerClusterName}_REPLY_TOPIC`, { readQueueNums: 1, writeQueueNums: 1 }));
  }

  /** 5.x: the timer messages' topic (rmq_sys_wheel_timer, 1 queue) when timerWheelEnable, created last as Java. */
  addTimerTopic(topic: string): void {
    this.addSystem(newTopicConfig(topic, { readQueueNums: 1, writeQueueNums: 1 }));
  }

  selectTopicConfig(topic: string): TopicConfig | undefined {
    return this.topicConfigTable.get(topic);
  }

  isSystemTopic(topic: string): boolean {
    return this.systemTopics.has(topic) || isSystemTopicName(topic);
  }

  private changed(config: TopicConfig): void {
    this.bumpDataVersionAndPersist();
    this.onChanged(config);
  }

  /** Auto-create on send from a template topic with PERM_INHERIT (Java's createTopicInSendMessageMethod). */
  createTopicInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    remoteAddr: string,
    clientDefaultTopicQueueNums: number,
    topicSysFlag: number,
  ): TopicConfig | null {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const template = this.topicConfigTable.get(defaultTopic);
    if (!template) {
      this.logger.warn(
        { topic, defaultTopic, remoteAddr },
        "Create new topic failed, because the default topic not exist",
      );
      return null;
    }
    if (defaultTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC && !this.brokerConfig.autoCreateTopicEnable) {
      template.perm = PermName.PERM_READ | PermName.PERM_WRITE;
    }
    if (!isInherited(template.perm)) {
      this.logger.warn(
        { topic, defaultTopic, perm: template.perm, remoteAddr },
        "Create new topic failed, because the default topic has no perm",
      );
      return null;
    }
    const queueNums = Math.min(clientDefaultTopicQueueNums, template.writeQueueNums);
    const config = newTopicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: template.perm & ~PermName.PERM_INHERIT,
      topicSysFlag,
      topicFilterType: template.topicFilterType,
    });
    this.logger.info({ topic, remoteAddr, config }, "Create new topic by default topic");
    this.topicConfigTable.set(topic, config);
    this.changed(config);
    return config;
  }

  /** Retry/DLQ topics are created with fixed queue numbers and permission. */
  createTopicInSendMessageBackMethod(
    topic: string,
    queueNums: number,
    perm: number,
    topicSysFlag: number,
  ): TopicConfig {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const config = newTopicConfig(topic, { readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicSysFlag });
    this.logger.info({ topic, config }, "create new topic");
    this.topicConfigTable.set(topic, config);
    this.changed(config);
    return config;
  }

  updateTopicConfig(config: TopicConfig): void {
    const old = this.topicConfigTable.get(config.topicName);
    this.logger.info({ old, new: config }, old ? "update topic config" : "create new topic");
    this.topicConfigTable.set(config.topicName, config);
    this.changed(config);
  }

  deleteTopicConfig(topic: string): boolean {
    const old = this.topicConfigTable.get(topic);
    if (!old) return false;
    this.topicConfigTable.delete(topic);
    this.logger.info({ topic }, "delete topic config OK");
    this.bumpDataVersionAndPersist();
    return true;
  }

  buildTopicConfigSerializeWrapper(): TopicConfigSerializeWrapper {
    return { dataVersion: { ...this.dataVersion }, topicConfigTable: new Map(this.topicConfigTable) };
  }
}
