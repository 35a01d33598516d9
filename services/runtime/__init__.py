"""Plumbing every service runs on: no entrypoints, no domain rules, nothing service-specific."""
