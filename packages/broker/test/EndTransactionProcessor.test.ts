/** END_TRANSACTION against half messages stored by the real send processor. */
import { describe, expect, it } from "vitest";
import { decodeRecordAt, MessageConst, MessageSysFlag, type MessageExt } from "@rocketmq-ts/common";
import { encodeHeader, EndTransactionRequestHeader, RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { createTimerPutHook } from "@rocketmq-ts/store";
import { request, testBrokers, type TestBroker, type TestBrokerOptions } from "./support/brokerContext.js";
import { answer, props, sendRequest, stored } from "./support/requests.js";

const open = testBrokers();
const { TRANSACTION_NOT_TYPE, TRANSACTION_PREPARED_TYPE, TRANSACTION_COMMIT_TYPE, TRANSACTION_ROLLBACK_TYPE } =
  MessageSysFlag;
const HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";
const OP_TOPIC = "RMQ_SYS_TRANS_OP_HALF_TOPIC";

/** A broker holding one half message of producer group PG for TxTopic, queue 1. */
async function brokerWithHalf(options: TestBrokerOptions = {}): Promise<{ broker: TestBroker; half: MessageExt }> {
  const broker = open(options);
  const res = await answer(
    broker,
    sendRequest(
      {
        topic: "TxTopic",
        queueId: 1,
        sysFlag: TRANSACTION_PREPARED_TYPE,
        properties: props({ TRAN_MSG: "true", PGROUP: "PG", WAIT: "true" }),
      },
      Buffer.from("tx body"),
    ),
  );
  expect(res.code).toBe(ResponseCode.SUCCESS);
  return { broker, half: stored(broker, res) };
}

function endTransaction(half: MessageExt, commitOrRollback: number, fields: Partial<EndTransactionRequestHeader> = {}) {
  return request(
    RequestCode.END_TRANSACTION,
    encodeHeader(EndTransactionRequestHeader, {
      producerGroup: "PG",
      tranStateTableOffset: half.queueOffset,
      commitLogOffset: half.commitLogOffset,
      commitOrRollback,
      fromTransactionCheck: false,
      msgId: "unused",
      ...fields,
    }),
  );
}

const queueSize = (broker: TestBroker, topic: string, queueId: number): number =>
  Math.max(0, broker.ctx.store.getMaxOffsetInQueue(topic, queueId));

describe("end transaction processor", () => {
  it("the send parks a prepared message as a half, away from its real topic", async () => {
    const { broker, half } = await brokerWithHalf();
    expect(half.topic).toBe(HALF_TOPIC);
    expect(half.properties.get(MessageConst.PROPERTY_REAL_TOPIC)).toBe("TxTopic");
    expect(half.properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID)).toBe("1");
    expect(queueSize(broker, "TxTopic", 1)).toBe(0);
  });

  it("the send answers a half message's UNIQ_KEY as transactionId (what 5.x proxies record), a plain one none", async () => {
    const broker = open();
    const half = await answer(
      broker,
      sendRequest({
        topic: "TxTopic",
        sysFlag: TRANSACTION_PREPARED_TYPE,
        properties: props({ TRAN_MSG: "true", PGROUP: "PG", UNIQ_KEY: "7F0000010001000000000000000A" }),
      }),
    );
    expect(half.extFields?.["transactionId"]).toBe("7F0000010001000000000000000A");
    const plain = await answer(
      broker,
      sendRequest({ topic: "TxTopic", properties: props({ UNIQ_KEY: "7F0000010001000000000000000B" }) }),
    );
    expect(plain.code).toBe(ResponseCode.SUCCESS);
    expect(plain.extFields?.["transactionId"]).toBeUndefined();
  });

  it("a committed timer message the timer refuses gets the timer's answer, as 5.x's sendFinalMessage", async () => {
    const broker = open();
    const soon = String(Date.now() + 60_000);
    const res = await answer(
      broker,
      sendRequest({
        topic: "TxTopic",
        sysFlag: TRANSACTION_PREPARED_TYPE,
        properties: props({ TRAN_MSG: "true", PGROUP: "PG", TIMER_DELIVER_MS: soon }),
      }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    // the wheel turned off before the commit: the commit is refused as a timer message
    broker.ctx.storeConfig.timerWheelEnable = false;
    broker.ctx.store.addPutMessageHook(createTimerPutHook({ config: broker.ctx.storeConfig }));
    const end = await answer(broker, endTransaction(stored(broker, res), TRANSACTION_COMMIT_TYPE));
    expect(end.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(end.remark).toBe("accurate timer message is not enabled, timerWheelEnable is false");
  });

  it("a commit stores the half under its real topic and queue as a COMMIT record, and writes the op record", async () => {
    const { broker, half } = await brokerWithHalf();
    const res = await answer(broker, endTransaction(half, TRANSACTION_COMMIT_TYPE));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark).toBeNull();
    const committed = broker.ctx.store.getMessage("TxTopic", 1, 0, 1);
    expect(committed.status).toBe("FOUND");
    const record = committed.messages[0];
    if (!record) throw new Error("no committed record");
    const msg = decodeRecordAt(record, 0);
    expect(msg.body?.toString()).toBe("tx body");
    expect(msg.sysFlag & TRANSACTION_ROLLBACK_TYPE).toBe(TRANSACTION_COMMIT_TYPE);
    expect(msg.preparedTransactionOffset).toBe(half.commitLogOffset);
    expect(queueSize(broker, OP_TOPIC, 0)).toBe(1);
  });

  it("a rollback only writes the op record", async () => {
    const { broker, half } = await brokerWithHalf();
    const res = await answer(broker, endTransaction(half, TRANSACTION_ROLLBACK_TYPE));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(queueSize(broker, "TxTopic", 1)).toBe(0);
    expect(queueSize(broker, OP_TOPIC, 0)).toBe(1);
  });

  it("an unknown verdict answers nothing and changes nothing", async () => {
    const { broker, half } = await brokerWithHalf();
    expect(await broker.handle(endTransaction(half, TRANSACTION_NOT_TYPE))).toBeNull();
    expect(queueSize(broker, OP_TOPIC, 0)).toBe(0);
  });

  it("refuses a verdict naming the wrong producer group, queue offset or half", async () => {
    const { broker, half } = await brokerWithHalf();
    const wrongGroup = await answer(broker, endTransaction(half, TRANSACTION_COMMIT_TYPE, { producerGroup: "Other" }));
    expect(wrongGroup.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(wrongGroup.remark).toBe("The producer group wrong");
    const wrongOffset = await answer(
      broker,
      endTransaction(half, TRANSACTION_COMMIT_TYPE, { tranStateTableOffset: half.queueOffset + 5 }),
    );
    expect(wrongOffset.remark).toBe("The transaction state table offset wrong");
    const noHalf = await answer(
      broker,
      endTransaction(half, TRANSACTION_COMMIT_TYPE, { commitLogOffset: broker.ctx.store.getMaxPhyOffset() + 1000 }),
    );
    expect(noHalf.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noHalf.remark).toBe("Find prepared transaction message failed");
    expect(queueSize(broker, "TxTopic", 1)).toBe(0);
    expect(queueSize(broker, OP_TOPIC, 0)).toBe(0);
  });

  it("a slave refuses to end transactions", async () => {
    const { broker, half } = await brokerWithHalf();
    broker.ctx.storeConfig.brokerRole = "SLAVE";
    const res = await answer(broker, endTransaction(half, TRANSACTION_COMMIT_TYPE));
    expect(res.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
  });
});
