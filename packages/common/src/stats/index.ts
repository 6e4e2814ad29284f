export * from "./StatsScheduler.js";
export * from "./StatsItem.js";
export * from "./StatsItemSet.js";
export * from "./MomentStatsItemSet.js";
