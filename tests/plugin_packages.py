"""Installing a third-party plugin package for a test: a module and a dist-info declaring its
entry points in the ``baton.plugins`` group, found by importlib.metadata like a pip install."""

import importlib
import sys
import textwrap


def install_plugin_package(tmp_path, monkeypatch, module_name, source, entry_points):
    """``entry_points``: {plugin name: module path}. Returns a function that uninstalls it."""
    (tmp_path / f"{module_name}.py").write_text(textwrap.dedent(source))
    dist = tmp_path / f"{module_name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module_name.replace('_', '-')}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[baton.plugins]\n" + "".join(f"{name} = {path}\n" for name, path in entry_points.items())
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return lambda: sys.modules.pop(module_name, None)
