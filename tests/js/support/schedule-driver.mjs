// The phone's task generator (server/family/static/js/schedule/tasks.js) for
// tests/test_phone_schedule.py: one JSON array of requests on stdin, one JSON array of
// answers on stdout. A request: {schedule, patient_id, respondent, variants, start, end}
// or {..., entry} for the tasks an entry triggers.
import { tasksBetween, tasksTriggeredBy } from '../../../server/family/static/js/schedule/tasks.js';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const answers = [];
for (const request of JSON.parse(input)) {
  const phone = { patientId: request.patient_id, respondent: request.respondent, variants: request.variants };
  answers.push(request.entry
    ? await tasksTriggeredBy(request.schedule, phone, request.entry)
    : await tasksBetween(request.schedule, phone, request.start, request.end));
}
process.stdout.write(JSON.stringify(answers));
