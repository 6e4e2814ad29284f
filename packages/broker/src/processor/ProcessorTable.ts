/** The handlers a processor module contributes, keyed by the request code each one answers. */
import type { RequestProcessor } from "@rocketmq-ts/remoting";

export type ProcessorTable = Map<number, RequestProcessor>;
