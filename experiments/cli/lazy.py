"""A click group that imports a subcommand's module only when that subcommand runs.

``cohesim --help`` then lists every command without importing the model stack (mesa, numba,
pandas, matplotlib take seconds to import): each command's one-line help is registered with it.
A test checks that the registered line is the command's own.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

import click


class LazyGroup(click.Group):
    """A :class:`click.Group` whose subcommands are loaded on first use.

    Parameters
    ----------
    lazy
        Subcommand name → (``"module:attribute"``, one-line help); the module is imported
        relative to this package, only when the subcommand runs or shows its own help.
    """

    def __init__(self, *args, lazy: Mapping[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand, loaded or not, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand ``cmd_name``, importing its module if it is a lazy one."""
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        return load(self.lazy[cmd_name][0])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of subcommands in ``--help``, from the registered help lines (no import)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)  # as click.Group does
        rows = []
        for name in names:
            if name in self.lazy:
                stand_in = click.Command(name, help=self.lazy[name][1])  # click's own shortening
                rows.append((name, stand_in.get_short_help_str(limit)))
            else:
                command = super().get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def load(target: str) -> click.Command:
    """The command ``"module:attribute"``, the module relative to this package."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(f".{module}", __package__), attribute)
