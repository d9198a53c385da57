export function summariseProfiles(dir: string): { text: string; json: unknown } {
  return { text: dir, json: null };
}
