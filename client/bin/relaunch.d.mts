/** Types of relaunch.mjs (plain JavaScript: the installed launcher loads it before anything is compiled). */
export declare const TRANSFER_NODE_FLAGS: readonly string[];
export declare function transferEnv(env?: NodeJS.ProcessEnv): { GLIBC_TUNABLES?: string };
export declare function relaunchForTransfers(): void;
