export const placeholder = 'config';
