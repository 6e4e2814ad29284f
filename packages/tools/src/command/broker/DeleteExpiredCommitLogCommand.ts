/**
 * `mqadmin deleteExpiredCommitLog`: ask brokers to delete their expired commit-log files at the next
 * cleanup rounds, whatever the deleteWhen hour (Java's DeleteExpiredCommitLogSubCommand; its own -n is
 * mqadmin's -n here).
 */
import { brokerMaintenanceCommand } from "./brokerMaintenance.js";

export const deleteExpiredCommitLogCommand = brokerMaintenanceCommand(
  "deleteExpiredCommitLog",
  "Delete expired CommitLog files",
  "clustername",
  (admin, target) => admin.deleteExpiredCommitLog(target),
);
