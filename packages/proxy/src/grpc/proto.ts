/**
 * Loads `apache.rocketmq.v2.MessagingService` from the .proto files rocketmq-client-nodejs ships
 * (the same files its generated stubs come from), with @grpc/proto-loader.
 *
 * Loader options: field names as in the .proto (`keepCase`), enums as their names, 64-bit integers as
 * JS numbers, `defaults: false` so a field the peer did not send stays `undefined` — that is how
 * proto3 `optional` presence is seen (`long_polling_timeout`, `invisible_duration`, Heartbeat
 * `group`), where Java asks `hasXxx()`. `oneofs: true` names the set member of each oneof.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

const require = createRequire(import.meta.url);

/** Directory holding `apache/rocketmq/v2/*.proto` inside the rocketmq-client-nodejs package. */
export function protoRoot(): string {
  const pkgJson = require.resolve("rocketmq-client-nodejs/package.json");
  return join(dirname(pkgJson), "proto");
}

let cached: ServiceDefinition | null = null;

/** The service definition grpc-js serves (`server.addService(messagingServiceDefinition(), impl)`). */
export function messagingServiceDefinition(): ServiceDefinition {
  if (cached) return cached;
  const packageDefinition = loadSync("apache/rocketmq/v2/service.proto", {
    includeDirs: [protoRoot()],
    keepCase: true,
    longs: Number,
    enums: String,
    bytes: Buffer,
    defaults: false,
    oneofs: true,
  });
  const root = loadPackageDefinition(packageDefinition);
  const apache = root["apache"] as GrpcObject;
  const rocketmq = apache["rocketmq"] as GrpcObject;
  const v2 = rocketmq["v2"] as GrpcObject;
  const service = v2["MessagingService"] as { service: ServiceDefinition };
  cached = service.service;
  return cached;
}
