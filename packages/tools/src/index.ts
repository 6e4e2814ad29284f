export { runMqadmin } from "./mqadmin.js";
export {
  commands,
  type CommandContext,
  type MQAdminExt,
  type SubCommand,
  type ToolProducer,
  type ToolProducerConfig,
} from "./commands.js";
export { processRuntime, type MQAdminRuntime } from "./runtime.js";
export { javaFormat, formatDate } from "./format.js";
export { runProducerBenchmark, type ProducerBenchResult } from "./benchmark/producer.js";
export { runConsumerBenchmark, type ConsumerBenchResult } from "./benchmark/consumer.js";
