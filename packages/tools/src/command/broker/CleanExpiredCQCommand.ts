/** `mqadmin cleanExpiredCQ`: destroy the consume queues whose messages are gone (Java's CleanExpiredCQSubCommand). */
import { brokerMaintenanceCommand } from "./brokerMaintenance.js";

export const cleanExpiredCQCommand = brokerMaintenanceCommand(
  "cleanExpiredCQ",
  "Clean expired ConsumeQueue on broker.",
  "clustername",
  (admin, target) => admin.cleanExpiredConsumerQueue(target),
);
