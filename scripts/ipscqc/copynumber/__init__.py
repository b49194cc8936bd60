"""Algorithms of the copy-number check (scripts/ipscqc/checks/copy_number.py)."""
