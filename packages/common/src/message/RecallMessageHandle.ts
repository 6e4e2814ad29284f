/**
 * The recall handle of a 5.x timer message (Java's RecallMessageHandle.HandleV1): the SEND answer
 * carries it, RECALL_MESSAGE (remoting) and RecallMessage (gRPC) take it back.
 *
 * Java semantics: the text "v1 <topic> <brokerName> <timestamp> <uniqKey>" (one space between items,
 * no checks on them) in Base64 URL with padding; decoding accepts missing padding, refuses any other
 * character, splits on spaces (trailing empty items dropped, as String.split) and wants "v1" and at
 * least five items.
 */

export interface RecallHandle {
  topic: string;
  brokerName: string;
  timestampStr: string;
  messageId: string;
}

export function buildRecallHandle(topic: string, brokerName: string, timestampStr: string, messageId: string): string {
  const raw = ["v1", topic, brokerName, timestampStr, messageId].join(" ");
  return Buffer.from(raw, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** The handle's items, or null when Java's decodeHandle throws "recall handle is invalid". */
export function decodeRecallHandle(handle: string): RecallHandle | null {
  if (!handle || !/^[A-Za-z0-9_-]*(={0,2})$/.test(handle)) return null;
  const bare = handle.replace(/=+$/, "");
  if (bare.length % 4 === 1 || (bare.length !== handle.length && handle.length % 4 !== 0)) return null;
  const items = Buffer.from(bare, "base64url").toString("utf8").split(" ");
  while (items.length > 0 && items[items.length - 1] === "") items.pop();
  const [version, topic, brokerName, timestampStr, messageId] = items;
  if (version !== "v1" || messageId === undefined) return null;
  return { topic: topic ?? "", brokerName: brokerName ?? "", timestampStr: timestampStr ?? "", messageId };
}
