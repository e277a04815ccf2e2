"""The registry export: a de-identified, reproducible dataset for a multicentre registry
(EBMT, CIBMTR, a national one) of the children whose families consented to it.

Plain functions, no Flask: `dataset` gathers what may leave (codes, grades, days after the
infusion, whole years), `tables` lays it out as CSV with its data dictionary, `fhir` as an
R4 Bundle, and `files` writes or zips them byte for byte the same for the same data. Which
fields go where in the registries' own forms: docs/registry.md.
"""
