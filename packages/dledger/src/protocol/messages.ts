/**
 * Every request/response body of the DLedger 0.3.1.2 protocol (package `protocol`), with Java's
 * field defaults, as typed codecs. All extend RequestOrResponse (group, remoteId, localId, code 200,
 * leaderId, term -1).
 */
import { BASE_FIELDS, defineBody, type BodyOf } from "./bodyCodec.js";

const VOTE_REQUEST = {
  ...BASE_FIELDS,
  ledgerEndIndex: { type: "long", default: -1 },
  ledgerEndTerm: { type: "long", default: -1 },
} as const;
export type VoteRequest = BodyOf<typeof VOTE_REQUEST>;
export const VoteRequestCodec = defineBody("VoteRequest", VOTE_REQUEST);

const VOTE_RESPONSE = { ...BASE_FIELDS, voteResult: { type: "voteResult", default: "UNKNOWN" } } as const;
export type VoteResponse = BodyOf<typeof VOTE_RESPONSE>;
export const VoteResponseCodec = defineBody("VoteResponse", VOTE_RESPONSE);

export type HeartBeatRequest = BodyOf<typeof BASE_FIELDS>;
export const HeartBeatRequestCodec = defineBody("HeartBeatRequest", BASE_FIELDS);
export type HeartBeatResponse = BodyOf<typeof BASE_FIELDS>;
export const HeartBeatResponseCodec = defineBody("HeartBeatResponse", BASE_FIELDS);

const PUSH_ENTRY_REQUEST = {
  ...BASE_FIELDS,
  commitIndex: { type: "long", default: -1 },
  type: { type: "pushType", default: "APPEND" },
  entry: { type: "entry", default: null },
  /** Batch push (isEnableBatchPush); empty otherwise. */
  batchEntry: { type: "entryList", default: [] },
  /** Sum of the batch entries' sizes (0 for a single-entry push). */
  totalSize: { type: "int", default: 0 },
} as const;
export type PushEntryRequest = BodyOf<typeof PUSH_ENTRY_REQUEST>;
/** `count`, `firstEntryIndex`, `lastEntryIndex` and `batch` are getters computed from entry / batchEntry. */
export const PushEntryRequestCodec = defineBody("PushEntryRequest", PUSH_ENTRY_REQUEST, (req) => ({
  batch: req.batchEntry.length > 0,
  count: pushCount(req),
  firstEntryIndex: pushFirstEntryIndex(req),
  lastEntryIndex: pushLastEntryIndex(req),
}));

export function pushCount(req: PushEntryRequest): number {
  if (req.batchEntry.length > 0) return req.batchEntry.length;
  return req.entry ? 1 : 0;
}

export function pushFirstEntryIndex(req: PushEntryRequest): number {
  const first = req.batchEntry[0];
  if (first) return first.index;
  return req.entry ? req.entry.index : -1;
}

export function pushLastEntryIndex(req: PushEntryRequest): number {
  const last = req.batchEntry[req.batchEntry.length - 1];
  if (last) return last.index;
  return req.entry ? req.entry.index : -1;
}

const PUSH_ENTRY_RESPONSE = {
  ...BASE_FIELDS,
  index: { type: "boxedLong", default: null },
  beginIndex: { type: "long", default: 0 },
  endIndex: { type: "long", default: 0 },
  count: { type: "int", default: 0 },
} as const;
export type PushEntryResponse = BodyOf<typeof PUSH_ENTRY_RESPONSE>;
export const PushEntryResponseCodec = defineBody("PushEntryResponse", PUSH_ENTRY_RESPONSE);

const PULL_ENTRIES_REQUEST = {
  ...BASE_FIELDS,
  nodeId: { type: "string", default: null },
  beginIndex: { type: "boxedLong", default: null },
} as const;
export type PullEntriesRequest = BodyOf<typeof PULL_ENTRIES_REQUEST>;
export const PullEntriesRequestCodec = defineBody("PullEntriesRequest", PULL_ENTRIES_REQUEST);

const ENTRIES_RESPONSE = { ...BASE_FIELDS, entries: { type: "entryList", default: [] } } as const;
export type PullEntriesResponse = BodyOf<typeof ENTRIES_RESPONSE>;
export const PullEntriesResponseCodec = defineBody("PullEntriesResponse", ENTRIES_RESPONSE);

const APPEND_ENTRY_REQUEST = { ...BASE_FIELDS, body: { type: "bytes", default: null } } as const;
export type AppendEntryRequest = BodyOf<typeof APPEND_ENTRY_REQUEST>;
export const AppendEntryRequestCodec = defineBody("AppendEntryRequest", APPEND_ENTRY_REQUEST);

const BATCH_APPEND_ENTRY_REQUEST = {
  ...APPEND_ENTRY_REQUEST,
  batchMsgs: { type: "bytesList", default: null },
} as const;
export type BatchAppendEntryRequest = BodyOf<typeof BATCH_APPEND_ENTRY_REQUEST>;
export const BatchAppendEntryRequestCodec = defineBody("BatchAppendEntryRequest", BATCH_APPEND_ENTRY_REQUEST);

const APPEND_ENTRY_RESPONSE = {
  ...BASE_FIELDS,
  index: { type: "long", default: -1 },
  pos: { type: "long", default: -1 },
} as const;
export type AppendEntryResponse = BodyOf<typeof APPEND_ENTRY_RESPONSE>;
export const AppendEntryResponseCodec = defineBody("AppendEntryResponse", APPEND_ENTRY_RESPONSE);

const GET_ENTRIES_REQUEST = {
  ...BASE_FIELDS,
  beginIndex: { type: "boxedLong", default: null },
  maxSize: { type: "int", default: 0 },
  indexList: { type: "longList", default: null },
} as const;
export type GetEntriesRequest = BodyOf<typeof GET_ENTRIES_REQUEST>;
export const GetEntriesRequestCodec = defineBody("GetEntriesRequest", GET_ENTRIES_REQUEST);

export type GetEntriesResponse = BodyOf<typeof ENTRIES_RESPONSE>;
export const GetEntriesResponseCodec = defineBody("GetEntriesResponse", ENTRIES_RESPONSE);

export type MetadataRequest = BodyOf<typeof BASE_FIELDS>;
export const MetadataRequestCodec = defineBody("MetadataRequest", BASE_FIELDS);

const METADATA_RESPONSE = { ...BASE_FIELDS, peers: { type: "stringMap", default: null } } as const;
export type MetadataResponse = BodyOf<typeof METADATA_RESPONSE>;
export const MetadataResponseCodec = defineBody("MetadataResponse", METADATA_RESPONSE);

const LEADERSHIP_TRANSFER_REQUEST = {
  ...BASE_FIELDS,
  /** The current leader handing over. */
  transferId: { type: "string", default: null },
  /** The member that is to become leader. */
  transfereeId: { type: "string", default: null },
  takeLeadershipLedgerIndex: { type: "long", default: 0 },
} as const;
export type LeadershipTransferRequest = BodyOf<typeof LEADERSHIP_TRANSFER_REQUEST>;
export const LeadershipTransferRequestCodec = defineBody("LeadershipTransferRequest", LEADERSHIP_TRANSFER_REQUEST);

export type LeadershipTransferResponse = BodyOf<typeof BASE_FIELDS>;
export const LeadershipTransferResponseCodec = defineBody("LeadershipTransferResponse", BASE_FIELDS);

/** The fields every body carries (RequestOrResponse). */
export type DLedgerBody = BodyOf<typeof BASE_FIELDS>;

/** Java's copyBaseInfo: group, term, code and the three ids of `from` onto `to`. */
export function copyBaseInfo<T extends DLedgerBody>(to: T, from: DLedgerBody): T {
  to.group = from.group;
  to.term = from.term;
  to.code = from.code;
  to.localId = from.localId;
  to.remoteId = from.remoteId;
  to.leaderId = from.leaderId;
  return to;
}
