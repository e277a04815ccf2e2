"""Storage: the SQLite file and what keeps it safe to lose.

Opening connections (`db`), schema steps (`migrations`), the data folder (`installation`,
`keyfiles`), encryption at rest (`vault`, `sealing_keys`), and what survives a restore
(`backup`, `erasure`). Nothing here knows what a fever is.
"""
