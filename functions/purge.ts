// Placeholder: implemented in a later step of the foundation/feature issues.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented');
};
