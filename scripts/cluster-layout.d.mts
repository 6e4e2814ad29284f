// Types of cluster-layout.mjs for the TypeScript tests that import it (test/support/haCluster.ts).

export declare const CLUSTER_MODES: string[];

export interface ClusterLayoutEntry {
  /** The template's file name without its extension (broker-a, broker-a-s, broker-n0, RaftNode00-n0). */
  name: string;
  template: string;
  listenPort: number;
  /** The DLedger peer port of the member (its dLegerSelfId in dLegerPeers), or null. */
  dledgerPort: number | null;
}

export declare function clusterLayout(confDir: string, mode: string, basePort?: number): ClusterLayoutEntry[];
