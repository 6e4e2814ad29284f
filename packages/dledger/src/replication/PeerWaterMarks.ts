/**
 * The leader's peerWaterMarksByTerm (DLedgerEntryPusher of dledger 0.3.1.2): per term, the highest
 * index each member (itself included) is known to hold in that term, -1 until known. Only the
 * current term's marks count for the committed index; the checker drops the others.
 */
export class PeerWaterMarks {
  private readonly byTerm = new Map<number, Map<string, number>>();

  constructor(private readonly peerIds: readonly string[]) {}

  private forTerm(term: number): Map<string, number> {
    let marks = this.byTerm.get(term);
    if (!marks) {
      marks = new Map(this.peerIds.map((id) => [id, -1]));
      this.byTerm.set(term, marks);
    }
    return marks;
  }

  /** Raise `peerId`'s mark in `term` to `index` (never lowers it). */
  update(term: number, peerId: string, index: number): void {
    const marks = this.forTerm(term);
    const old = marks.get(peerId);
    if (old !== undefined && old < index) marks.set(peerId, index);
  }

  get(term: number, peerId: string): number {
    return this.forTerm(term).get(peerId) ?? -1;
  }

  /** Forget every term but `currTerm`. */
  retainOnly(currTerm: number): void {
    this.forTerm(currTerm);
    for (const term of [...this.byTerm.keys()]) if (term !== currTerm) this.byTerm.delete(term);
  }

  /** The index a majority holds in `term`: the marks sorted high to low, the one at size / 2. */
  quorumIndex(term: number): number {
    const sorted = [...this.forTerm(term).values()].sort((a, b) => b - a);
    return sorted[Math.floor(sorted.length / 2)] ?? -1;
  }

  snapshot(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.byTerm].map(([term, marks]) => [String(term), Object.fromEntries(marks)]));
  }
}
