"""The plugin host as a nameko dependency: built once per service, at start-up."""

from typing import Any

from nameko.extensions import DependencyProvider

from plugins.host import PluginHost


class Plugins(DependencyProvider):
    def setup(self) -> None:
        self.host = PluginHost.from_config(self.container.config)

    def get_dependency(self, worker_ctx: Any) -> PluginHost:
        return self.host
