"""Markdown for the terminal (rule docs): rich's renderer, with code blocks drawn on the
terminal's own background in its own ANSI colours, never a theme's painted box.

rich.markdown imports markdown_it (about 0.1 s): only ``warmup lint --explain`` pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def print_markdown(console: Console, text: str) -> None:
    """``text`` rendered on ``console``, inline code in a colour of its own, not on black."""
    from rich.theme import Theme

    from warmup_cli.render.fit import unpadded

    with console.use_theme(Theme({"markdown.code": "bold cyan"})), console.capture() as out:
        console.print(markdown(text))
    console.out(unpadded(out.get()), highlight=False, end="")  # rich leaves the wrap's space


def markdown(text: str) -> RenderableType:
    """``text`` (CommonMark) as a rich renderable that wraps to the console's width."""
    from rich.console import ConsoleOptions, RenderResult
    from rich.markdown import CodeBlock, Markdown, MarkdownElement
    from rich.padding import Padding
    from rich.syntax import Syntax

    class PlainCodeBlock(CodeBlock):
        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            code = str(self.text).rstrip()
            yield Padding(Syntax(code, self.lexer_name, theme="ansi_dark",
                                 background_color="default", word_wrap=True),
                          (0, 0, 0, 4), expand=False)

    class TerminalMarkdown(Markdown):
        elements: ClassVar[dict[str, type[MarkdownElement]]] = {
            **Markdown.elements, "fence": PlainCodeBlock, "code_block": PlainCodeBlock}

    # justify="default": paragraphs wrap without padding every line to the width
    return TerminalMarkdown(text, code_theme="ansi_dark", justify="default", hyperlinks=False)
