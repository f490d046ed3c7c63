/**
 * Tags merge in one order: `Name`, then the shared tags, then the resource's own, so a caller can
 * override anything but a later layer always wins.
 */
export function mergeTags(name: string, shared?: Record<string, string>, own?: Record<string, string>): Record<string, string> {
  return { Name: name, ...(shared ?? {}), ...(own ?? {}) };
}
