"""pool: owners for customers — allocation now; the public pool (公海), claims and recycling next."""
