"""intake: receives inquiries from every channel, validates them, keeps every one with its outcome."""
