import type * as Yaml from 'yaml';

let yamlModule: typeof Yaml | undefined;

/** The `yaml` library, loaded on first parse: a workspace without .booty.yml never pays for it. */
export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof Yaml;
  return yamlModule;
}
