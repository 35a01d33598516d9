"""Baton's extension points.

Write a plugin as a module (or object) with ``@hookimpl`` functions named after the hooks in
``plugins.hookspecs``::

    from plugins import hookimpl
    from plugins.declarations import CustomField

    @hookimpl
    def baton_custom_fields():
        return [CustomField("hs_code", "text", "Customs tariff code", max_length=20)]

Declare it in your package's ``pyproject.toml``::

    [project.entry-points."baton.plugins"]
    acme_fields = "acme_baton.fields"

and enable it by adding ``acme_fields`` to ``BATON.plugins.enabled`` in the config file. The
built-in plugins (``plugins.builtin``) are declared and enabled exactly the same way.
"""

from plugins.markers import hookimpl, hookspec

__all__ = ["hookimpl", "hookspec"]
