"""The options several ``esr`` commands share, declared once as ``Annotated`` aliases.

A command takes ``registry: Registry = DEFAULT_REGISTRY`` (or no default when the option is
required), so every command spells the option, its short form, its environment variable and its
help the same way. Defaults stay in the signatures: they differ between commands.

An option renamed for consistency keeps its old spelling as a hidden alias (:data:`HIDDEN_ALIASES`):
``--registry-url``, ``esr sync``'s name for ``--registry``, still works but is not shown in help.
Click cannot hide one spelling of an option, so commands taking such an option are built with
:class:`AliasedCommand`, whose parser accepts the old spellings besides the ones help shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand

from registry.errors import InvalidInput

if TYPE_CHECKING:  # typer vendors click; only its types are needed here
    from typer._click import Context
    from typer._click.parser import _OptionParser

DEFAULT_REGISTRY = "http://127.0.0.1:8081"

#: Old spellings still accepted, by the spelling help shows; never listed in help.
HIDDEN_ALIASES: dict[str, tuple[str, ...]] = {"--registry": ("--registry-url",)}

Registry = Annotated[
    str,
    typer.Option("--registry", "-r", envvar="ESR_REGISTRY_URL", help="The registry's base URL."),
]
User = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="ESR_REGISTRY_USER",
        help="HTTP Basic credentials USER:PASSWORD for the registry.",
    ),
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="ESR_REGISTRY_TOKEN", help="Bearer token for the registry."),
]
Timeout = Annotated[float, typer.Option("--timeout", help="Registry request timeout, seconds.")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Database URL [env REGISTRY_DATABASE_URL]")
]


class AliasedCommand(TyperCommand):
    """A command whose options also answer to the old spellings in :data:`HIDDEN_ALIASES`.

    The aliases are added to the parser only, so parsing accepts them while help, error hints
    and shell completion know the current spelling alone.
    """

    def make_parser(self, ctx: Context) -> _OptionParser:
        """The usual parser, plus each hidden alias bound to its option."""
        parser = super().make_parser(ctx)
        for param in self.get_params(ctx):
            if not isinstance(param, typer.core.TyperOption) or param.is_flag:
                continue
            aliases = [alias for name in param.opts for alias in HIDDEN_ALIASES.get(name, ())]
            if aliases:
                action = "append" if param.multiple else "store"
                parser.add_option(
                    obj=param, opts=aliases, dest=param.name, action=action, nargs=param.nargs
                )
        return parser


def basic_auth(value: str | None) -> tuple[str, str] | None:
    """``USER:PASSWORD`` as a pair for the registry client; anything else is a usage error."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise InvalidInput("--user: expected USER:PASSWORD")
    return user, password
