"""The console's own checks, in the one test command: its TypeScript types (against the API types
generated from /openapi.json) and its Vitest tests of components and composables."""

import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
CHECK_SECONDS = 600


@pytest.mark.parametrize("script", ["typecheck", "test"])
def test_the_console_passes_its_own_checks(script):
    assert (WEB / "node_modules").is_dir(), "the console's packages are not installed: run scripts/bootstrap"
    done = subprocess.run(
        ["npm", "run", "--silent", script], cwd=WEB, capture_output=True, text=True, timeout=CHECK_SECONDS
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
