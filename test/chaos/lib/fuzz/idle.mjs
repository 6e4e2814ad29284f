// Connections that do nothing.
import net from "node:net";

/**
 * Opens `count` connections to each target and holds them without a byte sent. One the server closes
 * after its idle timeout (Java: serverChannelMaxIdleTimeSeconds, 120 s) is opened again, so that
 * `count` stay held for as long as the pool runs; one closed before it is counted as dropped.
 */
export class IdlePool {
  constructor(idleTimeoutMs = 120_000) {
    this.idleTimeoutMs = idleTimeoutMs;
    this.sockets = new Map(); // target name → Set of sockets
    this.stats = {};
    this.holding = false;
  }

  async open(targets, count, parallel = 200) {
    this.holding = true;
    for (const target of targets) {
      this.sockets.set(target.name, new Set());
      const st = (this.stats[target.name] = {
        requested: count,
        opened: 0,
        connectFailed: 0,
        closedByServer: 0,
        closedBeforeIdleTimeout: 0,
        reopenedAfterIdleTimeout: 0,
        firstClosedAfterMs: null,
      });
      let todo = count;
      const lane = async () => {
        while (todo > 0) {
          todo--; // before the wait: the other lanes see it at once
          if (await this.openOne(target)) st.opened++;
        }
      };
      await Promise.all(Array.from({ length: parallel }, lane));
    }
  }

  /** One idle connection to `target`; resolves true once connected. */
  openOne(target) {
    const st = this.stats[target.name];
    const set = this.sockets.get(target.name);
    return new Promise((resolve) => {
      const socket = net.connect({ host: target.host, port: target.port });
      socket.once("connect", () => {
        const openedAt = Date.now();
        set.add(socket);
        socket.once("close", () => {
          if (!set.delete(socket)) return; // closed by us
          const after = Date.now() - openedAt;
          st.closedByServer++;
          st.firstClosedAfterMs = Math.min(st.firstClosedAfterMs ?? Infinity, after);
          // the server's timer starts at its accept, a little after our connect
          if (after < this.idleTimeoutMs - 1000) st.closedBeforeIdleTimeout++;
          else if (this.holding) {
            st.reopenedAfterIdleTimeout++;
            void this.openOne(target);
          }
        });
        resolve(true);
      });
      socket.on("error", () => {
        if (!set.has(socket)) {
          st.connectFailed++;
          resolve(false);
        }
      });
    });
  }

  status() {
    return Object.fromEntries(
      Object.entries(this.stats).map(([name, st]) => [name, { ...st, open: this.sockets.get(name)?.size ?? 0 }]),
    );
  }

  closeAll() {
    this.holding = false;
    for (const set of this.sockets.values()) {
      for (const s of [...set]) {
        set.delete(s);
        s.destroy();
      }
    }
  }
}
