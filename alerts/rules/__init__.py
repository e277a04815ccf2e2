"""The shipped safety rule set (default.json) and the test vectors any app runs against it.

A package only so that the JSON files travel with an installed Homeward; see docs/rules.md.
"""
