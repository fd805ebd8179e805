"""Synthetic demo data for Stord (no real persons): users per role and a small register."""
