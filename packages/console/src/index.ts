export * from "./config.js";
export { buildConsoleServer } from "./ConsoleServer.js";
export { createServices, type ConsoleServices } from "./ConsoleServices.js";
export { startConsole, type RunningConsole } from "./startConsole.js";
export { ExporterMetrics } from "./metrics/ExporterMetrics.js";
export { topicKind, type TopicKind } from "./service/TopicService.js";
export { brokerViewOf, firstRate, type BrokerView, type ClusterView } from "./service/ClusterService.js";
