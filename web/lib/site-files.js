// Where the files the pages fetch at run time live: the MNIST and CSV data (build/data/), the
// pretrained models (models/) and the pages. The site build (scripts/build-site.mjs) copies
// these into dist/ as they are, while it bundles every module into dist/assets/. Both this
// module (web/lib/) and the bundles (dist/assets/) sit one folder below the site's root, so
// one relative URL finds the files in web/ and in dist/, on any host and under any path.
// (/* @vite-ignore */: the bundler leaves these URLs alone instead of copying the folders.)

/** The site's root: web/ when served as it is, dist/ when built. */
export const siteUrl = new URL(/* @vite-ignore */ "../", import.meta.url);
/** build/data/: MNIST (mnist.json, *.u8.gz) and the CSV presets. */
export const dataUrl = new URL(/* @vite-ignore */ "../build/data/", import.meta.url);
/** models/: the pretrained digit networks. */
export const modelsUrl = new URL(/* @vite-ignore */ "../models/", import.meta.url);
