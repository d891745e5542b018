"""pytester for the plugin's tests: they run a user's test suite inside this one."""

pytest_plugins = ["pytester"]
