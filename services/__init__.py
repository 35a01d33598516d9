"""Baton's services. Each folder is one nameko service; they talk only over RabbitMQ and share
nothing but ``contracts``, ``plugins`` and the plumbing in ``services.runtime``."""
