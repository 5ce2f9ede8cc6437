export const placeholder = 'governor';
