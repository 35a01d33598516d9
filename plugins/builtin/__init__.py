"""Built-in plugins, declared in pyproject.toml's entry points like any third-party plugin."""
