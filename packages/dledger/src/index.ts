/**
 * @rocketmq-ts/dledger: the DLedger (Raft) library Apache RocketMQ 4.9.8 builds its DLedger commit
 * log on (openmessaging dledger 0.3.1.2), speaking its peer protocol on the `dLegerPeers` port and
 * keeping its store layout, so that our nodes and Java's can form one group.
 */
// control plane (protocol, config, member state, election, RPC, server)
export * from "./protocol/DLedgerRequestCode.js";
export * from "./protocol/DLedgerResponseCode.js";
export * from "./protocol/VoteResult.js";
export * from "./protocol/wireEntry.js";
export * from "./protocol/bodyCodec.js";
export * from "./protocol/messages.js";
export * from "./config/DLedgerConfig.js";
export * from "./config/fromMessageStoreConfig.js";
export * from "./utils/safeFile.js";
export * from "./MemberState.js";
export * from "./timer.js";
export * from "./DLedgerLeaderElector.js";
export * from "./rpc/DLedgerProtocol.js";
export * from "./DLedgerRequestHandler.js";
export * from "./PreferredLeaderChecker.js";
export * from "./rpc/DLedgerRpcService.js";
export * from "./DLedgerServer.js";
// store (entries, index units, checkpoint, the mmap entry store)
export * from "./entry/DLedgerEntry.js";
export * from "./entry/DLedgerEntryCoder.js";
export * from "./entry/DLedgerIndexUnit.js";
export * from "./store/DLedgerCheckpoint.js";
export * from "./store/DLedgerCleanSpaceService.js";
export * from "./store/DLedgerMemberState.js";
export * from "./store/DLedgerMmapFileStore.js";
export * from "./store/DLedgerStoreConfig.js";
export * from "./store/DLedgerStoreRecovery.js";
export * from "./store/MmapFileList.js";
// replication (entry pusher: leader dispatchers, quorum ack checker, follower entry handler)
export * from "./replication/ServiceLoop.js";
export * from "./replication/Quota.js";
export * from "./replication/PeerWaterMarks.js";
export * from "./replication/PendingAppends.js";
export * from "./replication/ReplicationContext.js";
export * from "./replication/EntryDispatcher.js";
export * from "./replication/EntryHandler.js";
export * from "./replication/QuorumAckChecker.js";
export * from "./replication/DLedgerEntryPusher.js";
