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

# Every bench/*.py in turn; stops at the first that fails.
bench:
	@for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no bench/*.py yet"; break; }; \
		echo ".venv/bin/python $$script"; .venv/bin/python "$$script" || exit 1; \
	done

clean:
	rm -rf var
