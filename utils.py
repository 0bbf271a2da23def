"""The documentation site's own functions (pysite's utils.py, run by Python as the docs build).

`\\cli` writes the command-line reference from pysite's click commands themselves,
so the page cannot drift from `--help`. It is a command, not a `{{ }}` call, because a
command's text is read as Markdown (its headings join the page's table of contents) where a
call's is inserted as HTML, as Franklin does.
"""

import inspect

import click

from pysite.cli import main


def lx_cli(com, _):
    return "\n".join(command_reference(click.Context(main, info_name="pysite", **main.context_settings)))


def command_reference(parent):
    """Markdown for every command under `parent`'s group, subcommands after their group."""
    for name, command in parent.command.commands.items():
        context = click.Context(command, info_name=name, parent=parent)
        yield f"## {context.command_path}\n"
        yield f"```plaintext\n{command.get_usage(context).removeprefix('Usage: ')}\n```\n"
        yield f"{markdown_text(inspect.cleandoc(command.help or ''))}\n"
        rows = [param.get_help_record(context) for param in command.get_params(context)
                if isinstance(param, click.Option)]
        yield "| Option | What it does |\n|---|---|"
        yield from (f"| `{markdown_text(names)}` | {markdown_text(text)} |" for names, text in rows)
        yield ""
        if isinstance(command, click.Group):
            yield from command_reference(context)


def markdown_text(text):
    """Help text as Markdown: `$` is not math here, and `|` does not end a table cell."""
    return text.replace("$", "\\$").replace("|", "\\|")
