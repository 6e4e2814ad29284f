/**
 * RocketMQ's `MQVersion.Version` enum: every process stamps its ordinal into the `version` field
 * of each command. The enum is identical in 4.9.8 and 5.3.3 (613 constants); its shape is regular
 * enough to derive: 16 3.0.0 pre-releases, then `_SNAPSHOT`/release pairs for 3.0.1-3.0.15,
 * 3.1.0-3.2.9, 3.3.1-3.9.9 (no 3.y.0 from 3.3 on), every 4.y.z and 5.y.z, then HIGHER_VERSION.
 */
function buildVersionNames(): readonly string[] {
  const names = ["V3_0_0_SNAPSHOT", "V3_0_0_ALPHA1"];
  for (let beta = 1; beta <= 9; beta++) {
    if (beta >= 6) names.push(`V3_0_0_BETA${beta}_SNAPSHOT`);
    names.push(`V3_0_0_BETA${beta}`);
  }
  names.push("V3_0_0_FINAL");
  for (let major = 3; major <= 5; major++) {
    for (let minor = 0; minor <= 9; minor++) {
      const firstPatch = major === 3 && (minor === 0 || minor >= 3) ? 1 : 0;
      const lastPatch = major === 3 && minor === 0 ? 15 : 9;
      for (let patch = firstPatch; patch <= lastPatch; patch++) {
        names.push(`V${major}_${minor}_${patch}_SNAPSHOT`, `V${major}_${minor}_${patch}`);
      }
    }
  }
  names.push("HIGHER_VERSION");
  return Object.freeze(names);
}

export const MQ_VERSION_NAMES: readonly string[] = buildVersionNames();

const ordinalByName = new Map(MQ_VERSION_NAMES.map((name, i) => [name, i]));

/** Ordinal of a version name such as `V4_9_8`; undefined for names that are not in the enum. */
export function versionOrdinal(name: string): number | undefined {
  return ordinalByName.get(name);
}

/** Java's `MQVersion.getVersionDesc`: ordinals past the end print as HIGHER_VERSION. */
export function versionDesc(ordinal: number): string {
  if (!Number.isInteger(ordinal) || ordinal < 0) {
    // Java throws ArrayIndexOutOfBounds here; we never throw on peer input.
    return `UNKNOWN_VERSION(${ordinal})`;
  }
  return MQ_VERSION_NAMES[Math.min(ordinal, MQ_VERSION_NAMES.length - 1)] as string;
}

export const MQVersion = {
  V3_0_7_SNAPSHOT: 28,
  V3_0_11: 37,
  V3_1_8_SNAPSHOT: 62,
  V3_4_9: 121,
  V4_1_0_SNAPSHOT: 232,
  V4_5_2: 317,
  V4_7_0: 353,
  V4_9_4: 401,
  V4_9_8: 409,
  V5_0_0: 413,
  V5_1_0: 433,
  V5_3_3: 479,
} as const;

/** The version this implementation speaks and stamps into every command it creates. */
export const CURRENT_VERSION: number = MQVersion.V4_9_8;
