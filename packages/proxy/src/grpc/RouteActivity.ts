/**
 * QueryRoute and QueryAssignment (Java's RouteActivity).
 *
 * QueryRoute: for every QueueData and every broker id of its broker (slaves too) the queues are
 * numbered 0.. read-only first, then write-only, then read-write (rw = min(r, w) for a RW topic);
 * a topic that is neither readable nor writable gets max(1, max(r, w)) queues with NONE. Accepted
 * message types come from the topic's `message.type` attribute (MIXED → all four, unknown →
 * UNSPECIFIED). As Java, a QueueData whose broker is missing from the route stops the listing.
 * QueryAssignment: each readable queue data's master; a FIFO group gets one assignment per queue id,
 * any other group one assignment with queue id −1; none → FORBIDDEN "no readable queue".
 */
import { isReadable, isWriteable, PermName, type TopicRouteData } from "@rocketmq-ts/common";
import type { TopicMessageType } from "@rocketmq-ts/common";
import type { ProxyDeps } from "../ProxyDeps.js";
import { Code } from "./Code.js";
import { validateTopic, validateTopicAndConsumerGroup } from "./GrpcValidator.js";
import { buildStatus, OK_STATUS } from "./ResponseBuilder.js";
import type {
  Broker,
  MessageQueue,
  MessageType,
  Permission,
  QueryAssignmentRequest,
  QueryAssignmentResponse,
  QueryRouteRequest,
  QueryRouteResponse,
  Resource,
} from "./v2types.js";

export function convertToPermission(perm: number): Permission {
  const r = isReadable(perm);
  const w = isWriteable(perm);
  if (r && w) return "READ_WRITE";
  if (r) return "READ";
  if (w) return "WRITE";
  return "NONE";
}

export function acceptMessageTypes(type: TopicMessageType): MessageType[] {
  switch (type) {
    case "NORMAL":
    case "FIFO":
    case "TRANSACTION":
    case "DELAY":
      return [type];
    case "MIXED":
      return ["NORMAL", "FIFO", "DELAY", "TRANSACTION"];
    default:
      return ["MESSAGE_TYPE_UNSPECIFIED"];
  }
}

/** Java genMessageQueueFromQueueData. */
export function genMessageQueues(
  queueData: { perm: number; readQueueNums: number; writeQueueNums: number },
  topic: Resource,
  types: MessageType[],
  broker: Broker,
): MessageQueue[] {
  let r = 0;
  let w = 0;
  let rw = 0;
  let n = 0;
  const perm = queueData.perm;
  if (isWriteable(perm) && isReadable(perm)) {
    rw = Math.min(queueData.writeQueueNums, queueData.readQueueNums);
    r = queueData.readQueueNums - rw;
    w = queueData.writeQueueNums - rw;
  } else if (isWriteable(perm)) {
    w = queueData.writeQueueNums;
  } else if (isReadable(perm)) {
    r = queueData.readQueueNums;
  } else if ((perm & (PermName.PERM_READ | PermName.PERM_WRITE)) === 0) {
    n = Math.max(1, Math.max(queueData.writeQueueNums, queueData.readQueueNums));
  }
  const out: MessageQueue[] = [];
  let id = 0;
  const add = (count: number, permission: Permission): void => {
    for (let i = 0; i < count; i++) out.push({ topic, id: id++, permission, broker, accept_message_types: [...types] });
  };
  add(r, "READ");
  add(w, "WRITE");
  add(rw, "READ_WRITE");
  add(n, "NONE");
  return out;
}

export class RouteActivity {
  constructor(private readonly deps: ProxyDeps) {}

  private brokerMap(route: TopicRouteData, request: QueryRouteRequest): Map<string, Map<number, Broker>> {
    const map = new Map<string, Map<number, Broker>>();
    for (const b of route.brokerDatas) {
      const ids = new Map<number, Broker>();
      for (const [id, addr] of b.brokerAddrs) {
        ids.set(id, { name: b.brokerName, id, endpoints: this.deps.brokerEndpoints(addr, request.endpoints) });
      }
      map.set(b.brokerName, ids);
    }
    return map;
  }

  async queryRoute(request: QueryRouteRequest): Promise<QueryRouteResponse> {
    validateTopic(request.topic);
    const topic: Resource = request.topic ?? {};
    const name = topic.name ?? "";
    const route = await this.deps.routes.getRoute(name);
    const types = acceptMessageTypes(await this.deps.routes.getTopicMessageType(name));
    const brokers = this.brokerMap(route, request);
    const queues: MessageQueue[] = [];
    for (const qd of route.queueDatas) {
      const ids = brokers.get(qd.brokerName);
      if (!ids) break;
      for (const broker of ids.values()) queues.push(...genMessageQueues(qd, topic, types, broker));
    }
    return { status: OK_STATUS, message_queues: queues };
  }

  async queryAssignment(request: QueryAssignmentRequest): Promise<QueryAssignmentResponse> {
    validateTopicAndConsumerGroup(request.topic, request.group);
    const topic: Resource = request.topic ?? {};
    const route = await this.deps.routes.getRoute(topic.name ?? "");
    const group = await this.deps.routes.getSubscriptionGroup(request.group?.name ?? "");
    const fifo = group?.consumeMessageOrderly === true;
    const brokers = this.brokerMap(route, request);
    const assignments: { message_queue: MessageQueue }[] = [];
    for (const qd of route.queueDatas) {
      if (!isReadable(qd.perm) || qd.readQueueNums <= 0) continue;
      const broker = brokers.get(qd.brokerName)?.get(0);
      if (!broker) continue;
      const permission = convertToPermission(qd.perm);
      if (fifo) {
        for (let i = 0; i < qd.readQueueNums; i++)
          assignments.push({ message_queue: { topic, id: i, permission, broker } });
      } else {
        assignments.push({ message_queue: { topic, id: -1, permission, broker } });
      }
    }
    if (assignments.length === 0) return { status: buildStatus(Code.FORBIDDEN, "no readable queue") };
    return { status: OK_STATUS, assignments };
  }
}
