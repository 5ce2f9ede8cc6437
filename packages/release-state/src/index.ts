export const placeholder = 'release-state';
