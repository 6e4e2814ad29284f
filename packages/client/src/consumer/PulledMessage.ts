/**
 * A message of a PULL_MESSAGE answer (Java's MessageDecoder.decodes + UNIQ_KEY as msgId), decoded
 * field by field as it is read: numbers and the body at once (a view of the answer, no copy), the
 * properties — and what comes from them or from the hosts: tags, keys, msgId, offsetMsgId,
 * bornHost, storeHost — on first use. A consumer that reads the body and a timestamp (most
 * listeners, the benchmark) builds no Map, no id string and no host string per message; those were
 * a third of a drain's decoding and most of its garbage.
 *
 * Like Java's MessageExt it is a class: `{ ...m }` copies only the fields decoded at once; `m.toJSON()`
 * is a plain object with every field (and what JSON.stringify and log lines show).
 *
 * The record's layout (store fact sheet): TOTALSIZE 4, MAGICCODE 4, BODYCRC 4, QUEUEID 4, FLAG 4,
 * QUEUEOFFSET 8, PHYSICALOFFSET 8, SYSFLAG 4, BORNTIMESTAMP 8, BORNHOST 8|20, STORETIMESTAMP 8,
 * STOREHOST 8|20, RECONSUMETIMES 4, PREPARED_TRANSACTION_OFFSET 8, BODY 4+n, TOPIC 1+n (2+n for
 * the 5.x magic), PROPERTIES 2+n.
 */
import { inflateSync } from "node:zlib";
import {
  createMessageId,
  formatHost,
  MessageConst,
  MessageSysFlag,
  string2messageProperties,
  type HostAddress,
} from "@rocketmq-ts/common";
import type { MessageExt } from "../message/Message.js";

const MAGIC_CODE_V2 = -626843477;
const EMPTY = Buffer.alloc(0);
const TWO_32 = 4294967296;

/** A big-endian long below 2^53 (offsets, times). */
function getLong(view: DataView, at: number): number {
  return view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
}

function sameBytes(buf: Buffer, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

export class PulledMessage implements MessageExt {
  readonly storeSize: number;
  readonly bodyCRC: number;
  queueId: number;
  flag: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  storeTimestamp: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  topic: string;
  brokerName: string;

  private bodyView: Buffer | null = null;
  private props: Map<string, string> | null = null;
  /** CONSUME_START_TIME given before the properties were read: put in when they are. */
  private consumeStartTime: string | null = null;
  private offsetId: string | null = null;
  private readonly bornAt: number;
  private readonly storeAt: number;
  private readonly bodyAt: number;
  private readonly bodyLength: number;
  private readonly topicAt: number;
  /** The topic as stored (`topic` may be changed: a retry shows its original topic). */
  private readonly storedTopic: string;
  private readonly propsAt: number;
  private readonly propsLength: number;

  /**
   * Decode the record at `pos` of `buf` (`view` is a DataView of the same bytes); every length is
   * checked against the record's size and the buffer's end. `prev`, the record before it in the same
   * answer, lends its topic string when the bytes are the same (they nearly always are).
   */
  constructor(
    private readonly buf: Buffer,
    view: DataView,
    pos: number,
    brokerName: string,
    prev: PulledMessage | null = null,
  ) {
    const storeSize = view.getInt32(pos);
    const end = pos + storeSize;
    if (end > buf.length || storeSize < 8) throw new RangeError(`bad record size ${storeSize} at ${pos}`);
    const v2 = view.getInt32(pos + 4) === MAGIC_CODE_V2;
    this.storeSize = storeSize;
    this.bodyCRC = view.getInt32(pos + 8);
    this.queueId = view.getInt32(pos + 12);
    this.flag = view.getInt32(pos + 16);
    this.queueOffset = getLong(view, pos + 20);
    this.commitLogOffset = getLong(view, pos + 28);
    const sysFlag = view.getInt32(pos + 36);
    this.sysFlag = sysFlag;
    this.bornTimestamp = getLong(view, pos + 40);
    let p = pos + 48;
    this.bornAt = p;
    p += (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) === 0 ? 8 : 20;
    this.storeTimestamp = getLong(view, p);
    p += 8;
    this.storeAt = p;
    p += (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) === 0 ? 8 : 20;
    this.reconsumeTimes = view.getInt32(p);
    this.preparedTransactionOffset = getLong(view, p + 4);
    const bodyLength = view.getInt32(p + 12);
    p += 16;
    if (bodyLength < 0 || p + bodyLength > end) throw new RangeError(`bad body length ${bodyLength}`);
    this.bodyAt = p;
    this.bodyLength = bodyLength;
    p += bodyLength;
    const topicLength = v2 ? view.getInt16(p) : view.getInt8(p);
    p += v2 ? 2 : 1;
    if (topicLength < 0 || p + topicLength > end) throw new RangeError(`bad topic length ${topicLength}`);
    this.topicAt = p;
    this.storedTopic =
      prev !== null && prev.topicBytes === topicLength && sameBytes(buf, prev.topicAt, p, topicLength)
        ? prev.storedTopic
        : buf.toString("utf8", p, p + topicLength);
    this.topic = this.storedTopic;
    p += topicLength;
    const propsLength = view.getInt16(p);
    p += 2;
    if (propsLength < 0 || p + propsLength > end) throw new RangeError(`bad properties length ${propsLength}`);
    this.propsAt = p;
    this.propsLength = propsLength;
    this.brokerName = brokerName;
  }

  /** Length in bytes of the topic as stored. */
  private get topicBytes(): number {
    return this.propsAt - 2 - this.topicAt;
  }

  /** A view of the pull answer (inflated if the producer compressed it), made when first read. */
  get body(): Buffer {
    let body = this.bodyView;
    if (body === null) {
      body = this.bodyLength > 0 ? this.buf.subarray(this.bodyAt, this.bodyAt + this.bodyLength) : EMPTY;
      if ((this.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0 && this.bodyLength > 0) body = inflateSync(body);
      this.bodyView = body;
    }
    return body;
  }

  set body(body: Buffer) {
    this.bodyView = body;
  }

  get properties(): Map<string, string> {
    let props = this.props;
    if (props === null) {
      props =
        this.propsLength > 0
          ? string2messageProperties(this.buf.toString("utf8", this.propsAt, this.propsAt + this.propsLength))
          : new Map<string, string>();
      if (this.consumeStartTime !== null)
        props.set(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP, this.consumeStartTime);
      this.props = props;
    }
    return props;
  }

  set properties(props: Map<string, string>) {
    this.props = props;
  }

  /** Java's MessageAccessor.setConsumeStartTimeStamp, without reading the properties for it. */
  setConsumeStartTime(millis: string): void {
    if (this.props !== null) this.props.set(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP, millis);
    else this.consumeStartTime = millis;
  }

  get tags(): string | undefined {
    return this.properties.get(MessageConst.PROPERTY_TAGS);
  }

  get keys(): string | undefined {
    return this.properties.get(MessageConst.PROPERTY_KEYS);
  }

  /** UNIQ_KEY when the producer set one, else the offset message id. */
  get msgId(): string {
    return this.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? this.offsetMsgId;
  }

  get offsetMsgId(): string {
    this.offsetId ??= createMessageId(
      this.host(this.storeAt, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG),
      this.commitLogOffset,
    );
    return this.offsetId;
  }

  get bornHost(): string {
    return formatHost(this.host(this.bornAt, MessageSysFlag.BORNHOST_V6_FLAG));
  }

  get storeHost(): string {
    return formatHost(this.host(this.storeAt, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG));
  }

  private host(at: number, v6Flag: number): HostAddress {
    const length = (this.sysFlag & v6Flag) === 0 ? 4 : 16;
    return { address: this.buf.subarray(at, at + length), port: this.buf.readInt32BE(at + length) };
  }

  /** Every field as a plain object: what JSON.stringify and log lines show of a message. */
  toJSON(): MessageExt {
    return {
      topic: this.topic,
      body: this.body,
      flag: this.flag,
      properties: this.properties,
      tags: this.tags,
      keys: this.keys,
      msgId: this.msgId,
      offsetMsgId: this.offsetMsgId,
      queueId: this.queueId,
      queueOffset: this.queueOffset,
      commitLogOffset: this.commitLogOffset,
      brokerName: this.brokerName,
      bornTimestamp: this.bornTimestamp,
      storeTimestamp: this.storeTimestamp,
      bornHost: this.bornHost,
      storeHost: this.storeHost,
      reconsumeTimes: this.reconsumeTimes,
      sysFlag: this.sysFlag,
      bodyCRC: this.bodyCRC,
      storeSize: this.storeSize,
      preparedTransactionOffset: this.preparedTransactionOffset,
    };
  }
}
