import type { Express } from 'express';

/** Mounts the big-screen and console pages. (The pages themselves are being built; nothing is served yet.) */
export function mountPages(_app: Express): void {}
