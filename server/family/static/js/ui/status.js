// What the family is told about sending: how many entries wait and when all was last sent.
// The sync client keeps the truth (the outbox's states, the last sync); this only reads it.
export async function readStatus(app) {
  const status = await app.client.status();
  return {
    waiting: status.waiting, rejected: status.rejected,
    lastSentAt: status.last_sync_at, needsEnrolment: status.needs_enrolment,
    clockOffsetMs: status.clock_offset_ms ?? null,
  };
}
