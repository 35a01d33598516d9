"""Running Baton: the process supervisor and the embedded document store."""
