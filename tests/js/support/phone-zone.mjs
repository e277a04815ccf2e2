// Runs `run` as on a phone whose own clock is on `zone` (a family travelling).
export function onPhoneZone(zone, run) {
  const before = process.env.TZ;
  process.env.TZ = zone;  // Node resets its default zone when TZ is assigned
  try { return run(); } finally { if (before === undefined) delete process.env.TZ; else process.env.TZ = before; }
}
