import { PlainAccessValidator } from "@rocketmq-ts/acl";
import { rocketmqHome, systemProperty } from "@rocketmq-ts/common";
import type { RemotingCommand, RPCHook } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";

/**
 * Java's BrokerController.initialAcl (4.9.8): with `aclEnable=true` the broker loads plain ACL from
 * `<rocketmq.home.dir>/conf/plain_acl.yml` (`-Drocketmq.acl.plain.file` names another file under
 * the home) and `conf/acl/**.yml`, and checks every request on both remoting ports before its
 * processor runs. A refused request is answered SYSTEM_ERROR with the AclException's text.
 *
 * The home is `-Drocketmq.home.dir`, else ROCKETMQ_HOME (bin/mqbroker sets it to the installation,
 * where conf/plain_acl.yml ships). A file with errors refuses the start, naming file, line and key.
 */
export function createAccessValidator(aclEnable: boolean, logger: Logger): PlainAccessValidator | null {
  if (!aclEnable) {
    logger.info("The broker dose not enable acl");
    return null;
  }
  const home = rocketmqHome();
  if (home === undefined) {
    throw new Error(
      "aclEnable=true needs the RocketMQ home (-Drocketmq.home.dir or ROCKETMQ_HOME) where conf/plain_acl.yml is",
    );
  }
  return new PlainAccessValidator({ home, aclFile: systemProperty("rocketmq.acl.plain.file"), logger });
}

/** The server hook: parse what the request needs, validate; the exception goes back as the answer. */
export function aclServerHook(validator: PlainAccessValidator): RPCHook {
  return {
    doBeforeRequest(remoteAddr: string, request: RemotingCommand): void {
      validator.validate(validator.parse(request, remoteAddr));
    },
    doAfterResponse(): void {},
  };
}
