import type { BuildOptions } from 'esbuild';

export declare const mainBuild: BuildOptions;
export declare const bridgeBuild: BuildOptions;
export declare const preloadBuild: BuildOptions;
