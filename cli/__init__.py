"""Command-line tools for people who run Baton (the admin CLI grows here)."""
