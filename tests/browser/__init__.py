"""The browser harness: Node scripts driving Debian's chromium (tests/browser/*.mjs), run from
pytest by `harness.run_script`."""
