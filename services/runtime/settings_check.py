"""Whether a configuration file would load, said setting by setting.

Each service checks the sections it reads with its own schemas (``check_settings`` over RPC, for
the console's configuration check, ``POST /admin/configuration/check``) and answers one problem per
setting a start would refuse, ``{"path": "BATON.pool.claim_limits.per_day", "reason": "Must be
greater than or equal to 0."}`` — the path as the file spells it, so an admin finds the line.

The text is read as ``nameko run`` reads deploy/config.yaml: ``${VAR:default}`` takes the
environment variable when it is set (its value read as YAML), else the default: each service
reads it in its own environment, as it would at start. No I/O besides the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib.metadata import entry_points
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields

from services.runtime.cluster import AmqpSettingsSchema, MongoSettingsSchema
from services.runtime.databases import uri_problems

# As nameko's loader (nameko.cli.main): ${NAME} or ${NAME:default}.
ENV_VAR = re.compile(r"\$\{([^}:\s]+):?([^}]+)?\}")
IMPLICIT_ENV_VAR = re.compile(r".*\$\{.*\}.*")
PLUGIN_GROUP = "baton.plugins"  # plugins.host.ENTRY_POINT_GROUP, read without loading any plugin
# Sections every service reads whether or not they are there (their defaults keep one machine's behaviour).
OPTIONAL_SECTIONS: tuple[tuple[str, type[Schema]], ...] = (("amqp", AmqpSettingsSchema), ("mongo", MongoSettingsSchema))

Problem = dict[str, str]


@dataclass(frozen=True)
class UnreadableConfiguration(Exception):
    """The text is not YAML (or not a mapping); line and column count from 1, when known."""

    reason: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        return where + self.reason


def _substituted(environ: dict[str, str], match: re.Match) -> str:
    name, default = match.groups()
    value = environ.get(name)
    if value is None:
        value = default or ""
        while IMPLICIT_ENV_VAR.match(value):  # a default naming another variable
            value = ENV_VAR.sub(partial(_substituted, environ), value)
    return value


def substitute(text: str, environ: dict[str, str] | None = None) -> str:
    """``text`` with each ``${VAR:default}`` replaced as deploy config loading does."""
    return ENV_VAR.sub(partial(_substituted, dict(os.environ) if environ is None else environ), text)


def _loader(environ: dict[str, str] | None) -> type[yaml.SafeLoader]:
    """A SafeLoader of our own (nameko's ``setup_yaml_parser`` changes the shared one)."""

    class SubstitutingLoader(yaml.SafeLoader):
        pass

    def construct(loader: yaml.SafeLoader, node: yaml.Node, raw: bool = False) -> Any:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
        replaced = substitute(str(value), environ)
        if replaced == value or raw:
            return replaced
        return yaml.safe_load(replaced)

    SubstitutingLoader.add_constructor("!env_var", construct)
    SubstitutingLoader.add_constructor("!raw_env_var", partial(construct, raw=True))
    SubstitutingLoader.add_implicit_resolver("!env_var", IMPLICIT_ENV_VAR, None)
    return SubstitutingLoader


def read_configuration(text: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The configuration ``text`` holds, variables substituted; ``UnreadableConfiguration`` naming
    the line and column when it is not YAML, or not a mapping of settings."""
    try:
        loaded = yaml.load(text, Loader=_loader(environ))  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(str(part) for part in (error.context, error.problem) if part) or "not YAML"
        if mark is None:
            raise UnreadableConfiguration(reason) from None
        raise UnreadableConfiguration(reason, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as error:
        raise UnreadableConfiguration(str(error)) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UnreadableConfiguration(f"must be a mapping of settings, not {type(loaded).__name__}", 1, 1)
    return loaded


def validation_problems(error: ValidationError, path: str, schema: Schema | None = None) -> list[Problem]:
    """One ``{path, reason}`` per message of ``error`` (as ``schema`` raised it loading the
    setting at ``path``): nested sections, list items and mapping keys become dotted paths."""
    return [{"path": where, "reason": reason} for where, reason in _walk(error.messages, schema, path)]


def _child(node: Schema | fields.Field | None, key: str) -> Schema | fields.Field | None:
    """What reads ``key`` below ``node`` (a schema, or a field holding a schema, list or mapping)."""
    if isinstance(node, fields.Nested):
        node = node.schema
    if isinstance(node, Schema):
        by_key = {field.data_key or name: field for name, field in node.fields.items()}
        return by_key.get(key)
    if isinstance(node, fields.List):
        return node.inner
    return None


def _walk(messages: Any, node: Schema | fields.Field | None, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(messages, str):
        yield path, messages
        return
    if isinstance(messages, list | tuple):
        for message in messages:
            yield from _walk(message, node, path)
        return
    if not isinstance(messages, dict):
        yield path, str(messages)
        return
    for key, below in messages.items():
        if key == "_schema":
            yield from _walk(below, node, path)
        elif isinstance(node, fields.Dict) and isinstance(below, dict) and set(below) <= {"key", "value"}:
            # a mapping's entry: its name's problems and its value's
            entry = f"{path}.{key}"
            for reason in _flatten(below.get("key", [])):
                yield entry, f"The name {key!r}: {reason}"
            if "value" in below:
                yield from _walk(below["value"], node.value_field, entry)
        else:
            yield from _walk(below, _child(node, str(key)), f"{path}.{key}" if path else str(key))


def _flatten(messages: Any) -> Iterator[str]:
    if isinstance(messages, str):
        yield messages
    elif isinstance(messages, dict):
        for below in messages.values():
            yield from _flatten(below)
    else:
        for message in messages or []:
            yield from _flatten(message)


def section_problems(
    config: dict[str, Any], section: str, schema_cls: type[Schema], required: bool = True
) -> list[Problem]:
    """Whether ``BATON.<section>`` loads with ``schema_cls``, as the service would load it at start
    (``services.runtime.settings.load_section``); ``required=False``: absent means the defaults."""
    path = f"BATON.{section}"
    baton = config.get("BATON")
    if not isinstance(baton, dict):
        return [{"path": "BATON", "reason": "Missing, or not a mapping of sections."}]
    raw = baton.get(section)
    if raw is None and required:
        return [{"path": path, "reason": "Missing."}]
    schema = schema_cls()
    try:
        schema.load(raw or {})
    except ValidationError as error:
        return validation_problems(error, path, schema)
    except (TypeError, ValueError, AttributeError, KeyError) as error:  # a value the schema let through but cannot use
        return [{"path": path, "reason": f"{type(error).__name__}: {error}"}]
    return []


def database_problems(config: dict[str, Any]) -> list[Problem]:
    """MONGO_URI and MONGO_SERVICE_URIS as every service's store reads them."""
    problems = []
    for line in uri_problems(config):
        setting, _, reason = line.removeprefix("config: ").partition(" ")
        problems.append({"path": setting, "reason": reason[:1].upper() + reason[1:]})
    return problems


def plugin_problems(config: dict[str, Any]) -> list[Problem]:
    """``BATON.plugins.enabled``: a list naming only installed plugins (none is loaded to check)."""
    path = "BATON.plugins.enabled"
    baton = config.get("BATON")
    plugins = baton.get("plugins") if isinstance(baton, dict) else None
    enabled = plugins.get("enabled") if isinstance(plugins, dict) else None
    if not isinstance(plugins, dict) or "enabled" not in plugins:
        return [{"path": path, "reason": "Missing."}]
    if enabled is None:
        return []
    if not isinstance(enabled, list) or not all(isinstance(name, str) for name in enabled):
        return [{"path": path, "reason": "Must be a list of plugin names."}]
    installed = {point.name for point in entry_points(group=PLUGIN_GROUP)}
    return [
        {"path": f"{path}.{index}", "reason": f"No installed package declares the plugin {name!r}."}
        for index, name in enumerate(enabled)
        if name not in installed
    ]


def configuration_problems(config: dict[str, Any], sections: Iterable[tuple[str, type[Schema]]]) -> list[Problem]:
    """Every setting a service reading ``sections`` (besides the store, broker and plugins every
    service reads) would refuse to start with."""
    problems = database_problems(config) + plugin_problems(config)
    for section, schema_cls in OPTIONAL_SECTIONS:
        problems += section_problems(config, section, schema_cls, required=False)
    seen: set[tuple[str, type[Schema]]] = set()
    for section, schema_cls in sections:
        if (section, schema_cls) not in seen:
            seen.add((section, schema_cls))
            problems += section_problems(config, section, schema_cls)
    return problems


def sections_of(service_cls: type) -> list[tuple[str, type[Schema]]]:
    """(section, schema) of every ``Settings`` dependency of ``service_cls`` and every setting its
    entrypoints read (``SETTINGS``, e.g. event handlers' retries), in declaration order."""
    from services.runtime.health import HEALTH_SECTION, HealthProbe, HealthSettingsSchema
    from services.runtime.settings import Settings

    found: list[tuple[str, type[Schema]]] = []
    for klass in reversed(service_cls.__mro__):
        for value in vars(klass).values():
            if isinstance(value, Settings):
                found.append((value.section, value.schema_cls))
            if isinstance(value, HealthProbe):  # it loads BATON.health at start
                found.append((HEALTH_SECTION, HealthSettingsSchema))
            settings = getattr(value, "SETTINGS", None)
            if settings is not None:
                found.append(settings)
            for entrypoint in getattr(value, "nameko_entrypoints", ()):
                if getattr(entrypoint, "SETTINGS", None) is not None:
                    found.append(entrypoint.SETTINGS)
    return list(dict.fromkeys(found))


def check_text(
    text: str, service_cls: type, also: Iterable[tuple[str, type[Schema]]] = (), environ: dict[str, str] | None = None
) -> list[Problem]:
    """What ``check_settings`` answers: the problems a service of ``service_cls`` would have with
    the configuration ``text`` (``also``: sections it reads beyond its declared dependencies);
    unreadable text is one problem naming ``yaml``."""
    try:
        config = read_configuration(text, environ)
    except UnreadableConfiguration as unreadable:
        return [{"path": "yaml", "reason": str(unreadable)}]
    return configuration_problems(config, [*sections_of(service_cls), *also])


def answer(caller: Any, text: Any, service_cls: type, also: Iterable[tuple[str, type[Schema]]] = ()) -> list[Problem]:
    """A service's ``check_settings``: for an admin (or the system) only, since a configuration
    names the company's rules; the text must be a string."""
    from contracts.errors import InvalidInput
    from services.runtime.access import require

    require(caller, ("admin",), "check a configuration")
    if not isinstance(text, str):
        raise InvalidInput.from_messages({"yaml": ["Not a valid string."]})
    return check_text(text, service_cls, also)
