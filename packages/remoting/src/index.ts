export * from "./protocol/codes.js";
export * from "./protocol/LanguageCode.js";
export * from "./protocol/MQVersion.js";
export * from "./protocol/RemotingCommand.js";
export * from "./codec/RemotingCodecError.js";
export * from "./codec/frame.js";
export { FrameDecoder } from "./codec/FrameDecoder.js";
export { encodeJsonHeader, decodeJsonHeader, type CommandHeader } from "./codec/jsonHeader.js";
export { encodeBinaryHeader, decodeBinaryHeader } from "./codec/binaryHeader.js";
export * from "./json/fastjson.js";
export * from "./json/fastjsonWriter.js";
export * from "./json/JsonDouble.js";
export * from "./json/javaHash.js";
export * from "./header/defineHeader.js";
export * from "./header/namesrvHeaders.js";
export * from "./net/errors.js";
export * from "./net/address.js";
export type { RPCHook } from "./net/RPCHook.js";
export { Connection, type ConnectionOptions } from "./net/Connection.js";
export type { FrameSink, FrameTransport } from "./net/transport/FrameTransport.js";
export type { RequestProcessor, RequestContext } from "./net/RemotingService.js";
export { RemotingServer, type RemotingServerConfig } from "./net/RemotingServer.js";
export { RemotingClient, type RemotingClientConfig } from "./net/RemotingClient.js";
export * from "./net/tls/TlsSystemConfig.js";
export {
  buildClientTls,
  buildServerTls,
  type ClientTls,
  type ServerTls,
  type ServerTlsContext,
  type TlsLogger,
} from "./net/tls/TlsSettings.js";
export { ServerTlsWatcher, type TlsReloadTarget } from "./net/tls/ServerTlsWatcher.js";
export * from "./header/brokerHeaders.js";
export * from "./header/aclHeaders.js";
export * from "./header/popHeaders.js";
