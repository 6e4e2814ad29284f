/**
 * Java's ClientConfig `useTLS` for our clients (producers, consumers, MQAdminClient, so mqadmin and
 * the benchmarks too): unless the caller says, `-Dtls.enable=true` in JAVA_OPT / JAVA_OPT_EXT turns it
 * on, and the sessions present and trust what `tls.client.*` (and `tls.config.file`) say. A bad
 * setting throws `TlsConfigError` naming its key when the client is made (Java: when it starts).
 */
import { systemClientTls, systemTlsEnable } from "@rocketmq-ts/common";
import type { RemotingClientConfig } from "@rocketmq-ts/remoting";

export function clientTlsOptions(useTLS?: boolean): Pick<RemotingClientConfig, "useTLS" | "tls"> {
  return (useTLS ?? systemTlsEnable()) ? { useTLS: true, tls: systemClientTls() } : {};
}
