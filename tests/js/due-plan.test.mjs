// The due plan the service worker reads to remind a family while the app is closed: bare
// times, open ones only, and each due time notified once.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { duePlan, dueToNotify } from '../../server/family/static/js/advice/due-plan.js';

const NOW = '2026-12-09T14:00:00.000Z';
const task = (due_at, closes_at, extra = {}) => ({ task_id: `t-${due_at}`, questionnaire_id: 'symptom-diary', due_at, closes_at, ...extra });

test('the plan holds only times, open ones, soonest first, each once', () => {
  const plan = duePlan([
    task('2026-12-10T13:00:00Z', '2026-12-11T13:00:00Z'),
    task('2026-12-09T13:00:00Z', '2026-12-10T13:00:00Z'),
    task('2026-12-09T13:00:00Z', '2026-12-10T13:00:00Z', { questionnaire_id: 'neuro-check' }),
    task('2026-12-01T13:00:00Z', '2026-12-02T13:00:00Z'),            // closed: gone
    task('2027-02-01T13:00:00Z', '2027-02-02T13:00:00Z'),            // past the plan's 16 days
  ], [{ id: 'reminder:e1', due_at: '2026-12-09T15:00:00.000Z', done_at: null },
      { id: 'reminder:e2', due_at: '2026-12-09T15:30:00.000Z', done_at: '2026-12-09T15:10:00.000Z' }], NOW);
  assert.deepEqual(plan, [
    { due_at: '2026-12-09T13:00:00.000Z', closes_at: '2026-12-10T13:00:00.000Z' },
    { due_at: '2026-12-09T15:00:00.000Z', closes_at: '2026-12-09T16:00:00.000Z' },
    { due_at: '2026-12-10T13:00:00.000Z', closes_at: '2026-12-11T13:00:00.000Z' },
  ]);
  assert.ok(plan.every((item) => Object.keys(item).join() === 'due_at,closes_at'), 'no names, no answers');
});

test('what is due now is notified once, and the next due time again', () => {
  const plan = duePlan([task('2026-12-09T13:00:00Z', '2026-12-10T13:00:00Z'),
    task('2026-12-10T13:00:00Z', '2026-12-11T13:00:00Z')], [], NOW);
  const first = dueToNotify(plan, NOW);
  assert.deepEqual(first, { due: [plan[0]], through: '2026-12-09T13:00:00.000Z' });
  assert.equal(dueToNotify(plan, '2026-12-09T20:00:00Z', first.through), null);
  assert.equal(dueToNotify(plan, '2026-12-10T12:59:00Z', first.through), null);
  assert.deepEqual(dueToNotify(plan, '2026-12-10T13:30:00Z', first.through)?.due, [plan[1]]);
  assert.equal(dueToNotify([], NOW), null);
  assert.equal(dueToNotify(undefined, NOW), null);
});
