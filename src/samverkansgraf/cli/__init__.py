"""The command-line interface: a thin click layer over the library.

Input: command-line arguments. Output: printed summaries and the library's files;
errors become one line and a documented exit code.
"""

from .commands import cli, main

__all__ = ["cli", "main"]
