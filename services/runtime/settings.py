"""A service's section of ``BATON`` in the config file, checked once at start-up.

A wrong value stops the service with a message naming the key, instead of failing later
inside a worker.
"""

from typing import Any

from marshmallow import Schema, ValidationError
from nameko.extensions import DependencyProvider


class ConfigurationError(Exception):
    pass


def load_section(config: dict[str, Any], section: str, schema_cls: type[Schema]) -> Any:
    raw = config.get("BATON", {}).get(section)
    if raw is None:
        raise ConfigurationError(f"config: BATON.{section} is missing")
    try:
        return schema_cls().load(raw)
    except ValidationError as exc:
        raise ConfigurationError(f"config: BATON.{section} is invalid: {exc.messages}") from exc


class Settings(DependencyProvider):
    """Hands workers the loaded section (whatever ``schema_cls`` loads it into)."""

    def __init__(self, section: str, schema_cls: type[Schema]) -> None:
        self.section = section
        self.schema_cls = schema_cls

    def setup(self) -> None:
        self.value = load_section(self.container.config, self.section, self.schema_cls)

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.value
