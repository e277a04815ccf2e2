"""The clinic's records about a child: who the child is (`patients`, `contacts`, `zones`),
what the family reported as staff read it (`entries`, `trends`, `grading`, `alerting`,
`feed`), the nurse's calls (`calls`, `care_team`), the audit log of who read what, and what
the clinic records itself: the clinical profile (diagnosis, organs involved, product), the
toxicity events a physician records in the terms registries use, and the follow-up worklist
with its contact notes.

Plain functions over a database and a patient's cipher, returning plain data (dicts of
codes, numbers and ISO dates), so the API, the pages and a registry exporter read the same
things. Codes live in `vocabulary`; they never change meaning once shipped.
"""
