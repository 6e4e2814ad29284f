/** Sender language as carried in every command (JSON: enum name, binary: one byte). */
export const LANGUAGE_CODES = [
  "JAVA",
  "CPP",
  "DOTNET",
  "PYTHON",
  "DELPHI",
  "ERLANG",
  "RUBY",
  "OTHER",
  "HTTP",
  "GO",
  "PHP",
  "OMS",
  "RUST",
  "NODE_JS", // 5.x only
] as const;

export type LanguageCode = (typeof LANGUAGE_CODES)[number];

/** Byte code of a language; the index in the enum. */
export function languageToByte(language: LanguageCode): number {
  return LANGUAGE_CODES.indexOf(language);
}

/** Unknown bytes decode to null, as Java's `LanguageCode.valueOf(byte)` does. */
export function languageFromByte(code: number): LanguageCode | null {
  return LANGUAGE_CODES[code] ?? null;
}

export function isLanguageCode(name: unknown): name is LanguageCode {
  return typeof name === "string" && (LANGUAGE_CODES as readonly string[]).includes(name);
}
