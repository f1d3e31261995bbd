"""The bundled program's entry point (installer/switchboard.spec): the `switchboard` command."""

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
