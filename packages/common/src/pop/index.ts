export * from "./KeyBuilder.js";
export * from "./ExtraInfoUtil.js";
export * from "./ReceiptHandle.js";
