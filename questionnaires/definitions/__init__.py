"""Shipped instrument definitions (JSON); a package only so that installs carry the files."""
