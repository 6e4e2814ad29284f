/** A frame or header that cannot be decoded; the connection that sent it must be closed. */
export class RemotingCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RemotingCodecError";
  }
}
