# Shortcuts; the scripts are the real commands (a fresh machine may not have make).
.PHONY: run test unit schemas bench clean

run:
	scripts/run

test:
	scripts/test

unit:
	scripts/test tests/unit

schemas:
	.venv/bin/python -m contracts.jsonschema contracts/jsonschema

bench:
	for script in bench/*.py; do .venv/bin/python "$$script" || exit 1; done

clean:
	rm -rf var
