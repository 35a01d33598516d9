"""gateway: the HTTP API (JSON) in front of the services, for people and integrations."""
