/** Largest `.booty.yml` accepted, in bytes (1 MiB). A real one is a few hundred bytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * YAML tokens accepted before parsing. The `yaml` parser slows down sharply on a megabyte of
 * tiny tokens (seconds) and can exhaust memory on a megabyte of `{`; a real file has a few
 * hundred tokens, so this bound costs nothing and keeps the worst case well under a second.
 */
export const MAX_YAML_TOKENS = 100_000;

/** Nesting accepted (block indentation, `- ` / `? ` / `:` on one line, and flow brackets). */
export const MAX_YAML_DEPTH = 100;

/**
 * Values materialised through aliases (alias bombs). Values written out are already bounded by
 * the token limit; a real file uses a handful of aliases, if any.
 */
export const MAX_ALIAS_VALUES = 10_000;
