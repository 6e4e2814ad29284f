/** `mqadmin cleanUnusedTopic`: destroy the consume queues of topics a broker no longer has (Java's CleanUnusedTopicCommand). */
import { brokerMaintenanceCommand } from "./brokerMaintenance.js";

export const cleanUnusedTopicCommand = brokerMaintenanceCommand(
  "cleanUnusedTopic",
  "Clean unused topic on broker.",
  "cluster name",
  (admin, target) => admin.cleanUnusedTopic(target),
);
