"""Settings split by environment (cookiecutter-django style): ``base`` holds nearly everything and reads
the environment; ``local``, ``test`` and ``production`` change only what differs."""
