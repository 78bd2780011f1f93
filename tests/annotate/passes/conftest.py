from tests.annotate.explore.conftest import study  # noqa: F401 - the Explore tests' small study
