"""Algorithms of the acquired-variant check (scripts/ipscqc/checks/acquired_variants.py)."""
