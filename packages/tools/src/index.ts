export { runMqadmin } from "./mqadmin.js";
export { commands, type SubCommand } from "./commands.js";
export { javaFormat, formatDate } from "./format.js";
export { runProducerBenchmark, type ProducerBenchResult } from "./benchmark/producer.js";
export { runConsumerBenchmark, type ConsumerBenchResult } from "./benchmark/consumer.js";
