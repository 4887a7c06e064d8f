/** Types of lazy-module.mjs (plain JavaScript so that CDK's bundling hook can run it with `node`). */
export declare function buildLazyModule(options: {
  entry: string;
  outdir: string;
  target: string;
  alias?: Record<string, string>;
  minify?: boolean;
  absWorkingDir?: string;
}): Promise<string>;
