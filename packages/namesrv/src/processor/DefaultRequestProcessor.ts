/** Request handlers of the name server, one per request code (Java's DefaultRequestProcessor). */
import { crc32 } from "node:zlib";
import {
  decodeDataVersion,
  decodeRegisterBrokerBody,
  encodeClusterInfo,
  encodeKVTable,
  encodeTopicList,
  encodeTopicRouteData,
  MixAll,
  NamesrvUtil,
  parseBody,
  parseProperties,
} from "@rocketmq-ts/common";
import {
  AddWritePermOfBrokerRequestHeader,
  AddWritePermOfBrokerResponseHeader,
  createResponse,
  decodeHeader,
  DeleteKVConfigRequestHeader,
  DeleteTopicFromNamesrvRequestHeader,
  encodeHeader,
  GetKVConfigRequestHeader,
  GetKVConfigResponseHeader,
  GetKVListByNamespaceRequestHeader,
  GetRouteInfoRequestHeader,
  GetTopicsByClusterRequestHeader,
  MQVersion,
  PutKVConfigRequestHeader,
  QueryDataVersionRequestHeader,
  QueryDataVersionResponseHeader,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
  UnRegisterBrokerRequestHeader,
  WipeWritePermOfBrokerRequestHeader,
  WipeWritePermOfBrokerResponseHeader,
  type RemotingCommand,
  type RequestContext,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import type { KVConfigManager } from "../kvconfig/KVConfigManager.js";
import { RouteInfoManager } from "../routeinfo/RouteInfoManager.js";

/** What the processor needs from the controller besides the tables. */
export interface NamesrvConfiguration {
  readonly orderMessageEnable: boolean;
  /** All config items as `key=value` lines (GET_NAMESRV_CONFIG). */
  allConfigsFormatString(): string;
  /** Apply and persist items; throws with a message for black-listed keys or bad values. */
  update(props: Map<string, string>): void;
}

export interface NamesrvContext {
  routeInfoManager: RouteInfoManager;
  kvConfigManager: KVConfigManager;
  configuration: NamesrvConfiguration;
  logger: Logger;
}

const ok = (request: RemotingCommand, init: Parameters<typeof createResponse>[2] = {}): RemotingCommand =>
  createResponse(request, ResponseCode.SUCCESS, init);

export function namesrvProcessors(ctx: NamesrvContext): Map<number, RequestProcessor> {
  const { routeInfoManager: routes, kvConfigManager: kv, logger } = ctx;
  const handlers = new Map<number, RequestProcessor>();
  const on = (code: number, handler: RequestProcessor): void => void handlers.set(code, handler);

  on(RequestCode.PUT_KV_CONFIG, (req) => {
    const h = decodeHeader(PutKVConfigRequestHeader, req.extFields);
    kv.putKVConfig(h.namespace, h.key, h.value);
    return ok(req);
  });

  on(RequestCode.GET_KV_CONFIG, (req) => {
    const h = decodeHeader(GetKVConfigRequestHeader, req.extFields);
    const value = kv.getKVConfig(h.namespace, h.key);
    if (value === undefined) {
      return createResponse(req, ResponseCode.QUERY_NOT_FOUND, {
        remark: `No config item, Namespace: ${h.namespace} Key: ${h.key}`,
        extFields: encodeHeader(GetKVConfigResponseHeader, {}),
      });
    }
    return ok(req, { extFields: encodeHeader(GetKVConfigResponseHeader, { value }) });
  });

  on(RequestCode.DELETE_KV_CONFIG, (req) => {
    const h = decodeHeader(DeleteKVConfigRequestHeader, req.extFields);
    kv.deleteKVConfig(h.namespace, h.key);
    return ok(req);
  });

  on(RequestCode.GET_KVLIST_BY_NAMESPACE, (req) => {
    const h = decodeHeader(GetKVListByNamespaceRequestHeader, req.extFields);
    const table = kv.getKVListByNamespace(h.namespace);
    if (!table)
      return createResponse(req, ResponseCode.QUERY_NOT_FOUND, { remark: `No config item, Namespace: ${h.namespace}` });
    return ok(req, { body: encodeKVTable(table) });
  });

  on(RequestCode.QUERY_DATA_VERSION, (req) => {
    const h = decodeHeader(QueryDataVersionRequestHeader, req.extFields);
    const dataVersion = decodeDataVersion(parseBody(req.body, "DataVersion"));
    const changed = routes.isBrokerTopicConfigChanged(h.brokerAddr, dataVersion);
    if (!changed) routes.updateBrokerInfoUpdateTimestamp(h.brokerAddr);
    const stored = routes.queryBrokerTopicConfig(h.brokerAddr);
    return ok(req, {
      extFields: encodeHeader(QueryDataVersionResponseHeader, { changed }),
      body: stored ? Buffer.from(stringifyFastjson(stored)) : null,
    });
  });

  on(RequestCode.REGISTER_BROKER, (req, { connection }: RequestContext) => {
    const h = decodeHeader(RegisterBrokerRequestHeader, req.extFields);
    if (h.bodyCrc32 !== 0 && req.body) {
      const crc = crc32(req.body) & 0x7fffffff;
      if (crc !== h.bodyCrc32) {
        logger.warn(
          { brokerAddr: h.brokerAddr, expected: h.bodyCrc32, actual: crc },
          "receive registerBroker request, crc32 not match",
        );
        return createResponse(req, ResponseCode.SYSTEM_ERROR, { remark: "crc32 not match" });
      }
    }
    const body = decodeRegisterBrokerBody(req.body, {
      compressed: h.compressed,
      wrapperOnly: req.version < MQVersion.V3_0_11,
    });
    const result = routes.registerBroker({
      clusterName: h.clusterName,
      brokerAddr: h.brokerAddr,
      brokerName: h.brokerName,
      brokerId: h.brokerId,
      haServerAddr: h.haServerAddr,
      topicConfigWrapper: body.topicConfigSerializeWrapper,
      filterServerList: body.filterServerList,
      connection,
    });
    const orderTopics = kv.getKVListByNamespace(NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG);
    return ok(req, {
      extFields: encodeHeader(RegisterBrokerResponseHeader, result),
      body: orderTopics ? encodeKVTable(orderTopics) : null,
    });
  });

  on(RequestCode.UNREGISTER_BROKER, (req) => {
    const h = decodeHeader(UnRegisterBrokerRequestHeader, req.extFields);
    routes.unregisterBroker(h.clusterName, h.brokerAddr, h.brokerName, h.brokerId);
    return ok(req);
  });

  on(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
    const h = decodeHeader(GetRouteInfoRequestHeader, req.extFields);
    const route = routes.pickupTopicRouteData(h.topic);
    if (!route) {
      return createResponse(req, ResponseCode.TOPIC_NOT_EXIST, {
        remark: `No topic route info in name server for the topic: ${h.topic}${MixAll.FAQ_URL_SUFFIX}`,
      });
    }
    if (ctx.configuration.orderMessageEnable) {
      const conf = kv.getKVConfig(NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG, h.topic);
      if (conf !== undefined) route.orderTopicConf = conf;
    }
    const standard = req.version >= MQVersion.V4_9_4 || h.acceptStandardJsonOnly === true;
    return ok(req, { body: encodeTopicRouteData(route, standard) });
  });

  on(RequestCode.GET_BROKER_CLUSTER_INFO, (req) => ok(req, { body: encodeClusterInfo(routes.getAllClusterInfo()) }));

  on(RequestCode.WIPE_WRITE_PERM_OF_BROKER, (req) => {
    const h = decodeHeader(WipeWritePermOfBrokerRequestHeader, req.extFields);
    const wipeTopicCount = routes.operateWritePermOfBroker(h.brokerName, "wipe");
    logger.info({ brokerName: h.brokerName, wipeTopicCount, client: req.remark }, "wipe write perm of broker");
    return ok(req, { extFields: encodeHeader(WipeWritePermOfBrokerResponseHeader, { wipeTopicCount }) });
  });

  on(RequestCode.ADD_WRITE_PERM_OF_BROKER, (req) => {
    const h = decodeHeader(AddWritePermOfBrokerRequestHeader, req.extFields);
    const addTopicCount = routes.operateWritePermOfBroker(h.brokerName, "add");
    logger.info({ brokerName: h.brokerName, addTopicCount }, "add write perm of broker");
    return ok(req, { extFields: encodeHeader(AddWritePermOfBrokerResponseHeader, { addTopicCount }) });
  });

  on(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (req) =>
    ok(req, { body: encodeTopicList(routes.getAllTopicList()) }),
  );

  on(RequestCode.DELETE_TOPIC_IN_NAMESRV, (req) => {
    const h = decodeHeader(DeleteTopicFromNamesrvRequestHeader, req.extFields);
    routes.deleteTopic(h.topic, h.clusterName);
    return ok(req);
  });

  on(RequestCode.GET_TOPICS_BY_CLUSTER, (req) => {
    const h = decodeHeader(GetTopicsByClusterRequestHeader, req.extFields);
    return ok(req, { body: encodeTopicList(routes.getTopicsByCluster(h.cluster)) });
  });

  on(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, (req) => {
    const { topicList, brokerAddr } = routes.getSystemTopicList();
    return ok(req, { body: encodeTopicList(topicList, brokerAddr) });
  });

  on(RequestCode.GET_UNIT_TOPIC_LIST, (req) =>
    ok(req, { body: encodeTopicList(routes.topicsBySysFlag(RouteInfoManager.hasUnitFlag)) }),
  );
  on(RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, (req) =>
    ok(req, { body: encodeTopicList(routes.topicsBySysFlag(RouteInfoManager.hasUnitSubFlag)) }),
  );
  on(RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, (req) =>
    ok(req, {
      body: encodeTopicList(
        routes.topicsBySysFlag((f) => !RouteInfoManager.hasUnitFlag(f) && RouteInfoManager.hasUnitSubFlag(f)),
      ),
    }),
  );

  on(RequestCode.UPDATE_NAMESRV_CONFIG, (req) => {
    if (req.body && req.body.length > 0) {
      const props = parseProperties(req.body.toString("utf8"));
      try {
        ctx.configuration.update(props);
      } catch (err) {
        return createResponse(req, ResponseCode.SYSTEM_ERROR, { remark: (err as Error).message });
      }
    }
    return ok(req);
  });

  on(RequestCode.GET_NAMESRV_CONFIG, (req) =>
    ok(req, { body: Buffer.from(ctx.configuration.allConfigsFormatString(), "utf8") }),
  );

  return handlers;
}
