"""``python -m samverkansgraf`` runs the CLI."""

from .cli import main

main()
