export * from "./TimerConstants.js";
export * from "./TimerLog.js";
export * from "./TimerWheel.js";
export * from "./TimerCheckpoint.js";
export * from "./TimerPutHook.js";
export * from "./TimerMessageStore.js";
export * from "./TimerConfig.js";
