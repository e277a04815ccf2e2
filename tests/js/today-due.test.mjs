// What Today lists as due: a task another parent's phone answered (the pull says
// answered_at) is not due here; one this phone answered is not either.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dueTasks } from '../../server/family/static/js/ui/today.js';

const NOW = new Date('2026-11-20T19:00:00Z');
const task = (id, due, extra = {}) => ({
  task_id: id, questionnaire_id: 'symptom-diary', due_at: due,
  closes_at: '2026-11-21T05:00:00Z', answered_at: null, ...extra });

test('a diary the other parent filled in is not due on this phone', () => {
  const tasks = [task('t_morning', '2026-11-20T13:00:00Z', { answered_at: '2026-11-20T13:55:00Z' }),
                 task('t_evening', '2026-11-20T18:00:00Z')];
  assert.deepEqual(dueTasks(tasks, [], NOW).dueNow.map((t) => t.task_id), ['t_evening']);
});

test('a diary this phone answered is not due, unless the server rejected it', () => {
  const tasks = [task('t_morning', '2026-11-20T13:00:00Z')];
  assert.deepEqual(dueTasks(tasks, [{ task_id: 't_morning', state: 'sent' }], NOW).dueNow, []);
  assert.equal(dueTasks(tasks, [{ task_id: 't_morning', state: 'rejected' }], NOW).dueNow.length, 1);
});

test('a task from an older server with no answered_at is still due', () => {
  const { answered_at, ...old } = task('t_old', '2026-11-20T13:00:00Z');
  assert.equal(dueTasks([old], [], NOW).dueNow.length, 1);
});
