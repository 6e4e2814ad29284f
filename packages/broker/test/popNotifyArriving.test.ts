/**
 * PopServices.notifyMessageArriving (called for every dispatched message): with no POP or
 * NOTIFICATION request parked it must not parse the message's properties; with one parked it
 * parses them once, and only when the parked request's filter reads them.
 */
import { describe, expect, it, vi } from "vitest";
import type * as Common from "@rocketmq-ts/common";
import { encodeHeader, PopMessageRequestHeader, RequestCode } from "@rocketmq-ts/remoting";
import { peerConnection, request, testBrokers } from "./support/brokerContext.js";

const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock("@rocketmq-ts/common", async (importOriginal) => {
  const actual = await importOriginal<typeof Common>();
  return {
    ...actual,
    string2messageProperties: (s: string): Map<string, string> => {
      parses.count++;
      return actual.string2messageProperties(s);
    },
  };
});

const open = testBrokers();
const PROPS = "TAGS\u0001T\u0002color\u0001red\u0002";

describe("PopServices.notifyMessageArriving", () => {
  it("parses no properties while nobody polls, and once per message for a parked SQL filter", () => {
    const b = open();
    const pop = b.ctx.popServices;
    parses.count = 0;
    for (let i = 0; i < 1000; i++) pop.notifyMessageArriving("PollTopic", 0, i + 1, 0, PROPS);
    expect(parses.count).toBe(0);

    // a parked POP whose filter reads the properties (and refuses, so it stays parked)
    const seen: (string | undefined)[] = [];
    const filter = {
      isMatchedByConsumeQueue: (): boolean => true,
      isMatchedByCommitLog: (props: Map<string, string>): boolean => {
        seen.push(props.get("color"));
        return false;
      },
    };
    const now = Date.now();
    const header = { consumerGroup: "G", topic: "PollTopic", queueId: 0, bornTime: now, pollTime: 60_000 };
    const parked = request(
      RequestCode.POP_MESSAGE,
      encodeHeader(PopMessageRequestHeader, {
        ...header,
        maxMsgNums: 1,
        invisibleTime: 10_000,
        initMode: 0,
        order: false,
      }),
    );
    expect(pop.popLongPolling.polling(peerConnection(), parked, header, filter)).toBe("POLLING_SUC");

    // another topic: still nothing parsed
    pop.notifyMessageArriving("OtherTopic", 0, 1, 0, PROPS);
    expect(parses.count).toBe(0);
    // the polled topic (queue 0 and "any queue" both look): parsed once, read by the filter
    pop.notifyMessageArriving("PollTopic", 0, 1, 0, PROPS);
    expect(parses.count).toBe(1);
    expect(seen).toEqual(["red"]);
    expect(pop.popLongPolling.pollingNum("PollTopic", "G", 0)).toBe(1);
  });
});
