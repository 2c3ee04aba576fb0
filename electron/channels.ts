/** IPC channel names, shared by the main process and the preload so the two cannot drift apart. */
export const CHANNELS = {
  request: 'ferry:request',
  event: 'ferry:event',
  chooseFile: 'ferry:shell:chooseFile',
  chooseFolder: 'ferry:shell:chooseFolder',
  showInFolder: 'ferry:shell:showInFolder',
  setProgress: 'ferry:shell:setProgress',
} as const;

/**
 * Pushed on the event channel beside the engine's events when the user picks File > Open disk
 * image…, so the wizard can start from that image. It comes from the shell, not the engine.
 */
export interface OpenImageEvent {
  type: 'openImage';
  path: string;
}
