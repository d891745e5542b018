"""The teacher pages, generated from the catalogue when the site is built.

Nothing here is typed twice: names and LaTeX come from :data:`handbp.equations.CATALOGUE`,
shapes from the checks declared on each function (``checked(hidden_layer_delta, H_error="e j", ...)``) and
from running the series' net, the JAX check's result from running ``verify``, and the
tutorial section from the tutorial that shows the equation's LaTeX.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jupytext
from matplotlib.figure import Figure  # drawn without pyplot: no backend, no screen
from myst_parser.slugs import github_slugify

import verify
from handbp import checks, data, network
from handbp.equations import BEYOND, CATALOGUE, Equation
from handbp_site.execute import chapter_paths, series_paths

TIMES = "\N{MULTIPLICATION SIGN}"

SERIES_SIZES = {"e": 3, "i": 4, "j": 2, "k": 3}
"""The sizes of the dimension letters on the series' three flowers (parts 2-13)."""

# The series' notation for the inputs of the net, beside the catalogue's symbols
INPUTS = {"X": ("X", "e i"), "Y": ("Y", "e k"), "W1": ("W_1", "i j"), "W2": ("W_2", "j k")}


def tex(symbol: str) -> str:
    """The series' symbol in LaTeX: ``H_in`` -> ``H_{in}``, ``W2_update`` -> ``W_{2,update}``."""
    if symbol.startswith("W") and symbol[1:2].isdigit():
        rest = symbol[2:].lstrip("_")
        return f"W_{{{symbol[1]}{',' + rest if rest else ''}}}"
    name, _, index = symbol.partition("_")
    return f"{name}_{{{index}}}" if index else name


def shape_text(dims: tuple[str, ...] | str) -> str:
    """``("e", "j")`` -> ``e x j = 3 x 2`` (the series' sizes); a scalar -> ``scalar``."""
    letters = tuple(dims.split()) if isinstance(dims, str) else tuple(dims)
    if not letters:
        return "scalar"
    sizes = [str(SERIES_SIZES[letter]) if letter in SERIES_SIZES else "?" for letter in letters]
    return f"{f' {TIMES} '.join(letters)} = {f' {TIMES} '.join(sizes)}"


@dataclass(frozen=True)
class Section:
    """Where a tutorial teaches an equation: the file, its heading, and the heading's anchor."""

    path: Path
    heading: str

    @property
    def anchor(self) -> str:
        """The heading's id on the built page: MyST's GitHub-style slug of its text (math left out)."""
        return github_slugify(re.sub(r"\$[^$]*\$", "", self.heading))

    def link(self, from_folder: str = "..") -> str:
        """A markdown link to the section from a page one folder below the site's root."""
        return f"[{self.path.stem}: {self.heading}]({from_folder}/tutorials/{self.path.stem}.ipynb#{self.anchor})"


def sections() -> Iterator[tuple[Path, str, str]]:
    """Every markdown cell of the tutorials (the series', then chapter 2's) with its heading."""
    for path in [*series_paths(), *chapter_paths()]:
        stat = path.stat()
        for heading, text in _markdown_cells(path, stat.st_mtime_ns, stat.st_size):
            yield path, heading, text


@functools.lru_cache(maxsize=64)
def _markdown_cells(path: Path, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    """One tutorial's markdown cells with their headings, read once per version of the file
    (the index looks up a section for each of its ~70 equations)."""
    cells, heading = [], ""
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("## "):
                heading = line[3:].strip()
        cells.append((heading, cell.source))
    return tuple(cells)


def section_of(entry: Equation) -> Section:
    """The tutorial section that shows ``entry``'s LaTeX (first in reading order)."""
    for path, heading, text in sections():
        if entry.latex in text and heading:
            return Section(path, heading)
    raise ValueError(f"no tutorial section shows the LaTeX of {entry.id}: {entry.latex}")


def argument_shapes(entry: Equation) -> list[tuple[str, str]]:
    """Each array argument of the entry's function with its declared dimensions."""
    declared = getattr(entry.function, "checks", {})
    return [
        (name, " ".join(spec.dims))
        for name, spec in declared.items()
        if isinstance(spec, checks.Spec) and spec.dims
    ]


def jax_check(entry: Equation) -> verify.EquationCheck:
    """The entry checked against JAX on the series' net (as ``handbp verify`` does)."""
    return verify.check_equation(entry.id)


def check_summary(result: verify.EquationCheck) -> str:
    """``pass: reverse 2.7e-16, forward 2.6e-17, ...`` for one check."""
    errors = ", ".join(f"{method} {error.summary()}" for method, error in result.methods.items())
    return f"{'pass' if result.passed else 'FAIL'}: {errors}"


def equations_page() -> str:
    """The index: equation id -> part -> function -> JAX check -> tutorial section."""
    lines = [
        "---",
        "html_theme.sidebar_secondary.remove: true",  # the table needs the width
        "---",
        "",
        "# Index of the equations",
        "",
        "Every equation of the series, from `handbp.equations.CATALOGUE`: its id, the part",
        "that derives it, the handbp function that computes it, its check against JAX on the",
        "series' net (the error of each method: reverse- and forward-mode autodiff and",
        "finite differences for a derivative, one independent JAX computation, `value`, for a",
        "forward map) and the tutorial section that teaches it. The table is generated when",
        "the site is built: the checks were run then, and an equation added to the catalogue",
        "appears here by itself. The equations are shown in the sections linked, and those",
        "of parts 9-12 together on [the derivation page](derivation.md).",
        "",
        "The function of an equation is named by its id; the first column links to it.",
        "",
        "| id and function | part | JAX check (series' net) | tutorial section |",
        "|---|---|---|---|",
    ]
    for entry in CATALOGUE.values():
        result = jax_check(entry)
        module = entry.function.__module__.removeprefix("handbp.")
        lines.append(
            f"| {{py:func}}`{module}.{entry.id} <{entry.qualified_name}>` | {entry.part} | "
            f"{check_summary(result)} | {section_of(entry).link()} |"
        )
    lines += [
        "",
        "## Chapter 2: beyond the series",
        "",
        "Every equation of `handbp.equations.BEYOND`, checked by `handbp verify` (both chapters by default)",
        "checks it (`verify.beyond`): on chapter 2's random nets against JAX (the largest error",
        "relative to the quantity's scale, per method), the initialisations by their variance,",
        "the optimizers step by step against optax.",
        "",
        "| id and function | section | check | tutorial section |",
        "|---|---|---|---|",
    ]
    from verify.beyond import verify_beyond

    rows = {row.id.split(" (in ")[0]: row for row in verify_beyond("float64").rows}
    for entry in BEYOND.values():
        row = rows[entry.id]
        module = entry.function.__module__.removeprefix("handbp.")
        errors = ", ".join(f"{method} {error:.1e}" for method, error in row.errors.items())
        within = f" (in {row.id.split(' (in ')[1]}" if " (in " in row.id else ""
        lines.append(
            f"| {{py:func}}`{module}.{entry.id} <{entry.qualified_name}>` | {entry.section} | "
            f"{'pass' if row.passed else 'FAIL'}{within}: {errors} | "
            f"{section_of(entry).link()} |"
        )
    return "\n".join(lines) + "\n"


def series_quantities() -> dict[str, tuple[str, tuple[int, ...]]]:
    """Every matrix of one step of the series' net: symbol -> (LaTeX, shape on three flowers)."""
    flowers = data.three_flowers("uci")
    W1, W2 = network.initial_weights(seed=network.SERIES_SEED)
    forward = network.feedforward(flowers.X, W1, W2)
    backward = network.backpropagation(flowers.X, flowers.Y, W2, forward)
    values = {**forward.as_dict(), **backward.as_dict()}
    arrays = {"X": flowers.X, "Y": flowers.Y, "W1": W1, "W2": W2}
    quantities = {name: (latex, arrays[name].shape) for name, (latex, _) in INPUTS.items()}
    for entry in CATALOGUE.values():
        if entry.symbol and entry.id in values:
            quantities[entry.symbol] = (tex(entry.symbol), values[entry.id].shape)
    return quantities


def net_figure() -> Figure:
    """The series' 4-2-3 net: its nodes, its weights, and every quantity with its shape."""
    quantities = series_quantities()
    sizes = {
        "X": quantities["X"][1][1],
        "H": quantities["H_out"][1][1],
        "O": quantities["O_out"][1][1],
    }

    def label(symbol: str) -> str:
        latex, shape = quantities[symbol]
        return f"${latex}$  {f' {TIMES} '.join(str(n) for n in shape)}"

    figure = Figure(figsize=(9, 5.6))
    ax = figure.subplots()
    columns = {"X": 0.0, "H": 1.0, "O": 2.0}
    nodes = {}
    for layer, x in columns.items():
        count = sizes[layer]
        for n in range(count):
            nodes[layer, n] = (x, (count - 1) / 2 - n)
    for left, right in (("X", "H"), ("H", "O")):
        for a in range(sizes[left]):
            for b in range(sizes[right]):
                (x0, y0), (x1, y1) = nodes[left, a], nodes[right, b]
                ax.plot([x0, x1], [y0, y1], color="0.7", linewidth=1, zorder=1)
    colours = {"X": "#9ecae1", "H": "#a1d99b", "O": "#fdae6b"}
    for (layer, n), (x, y) in nodes.items():
        ax.scatter([x], [y], s=900, color=colours[layer], edgecolor="black", zorder=2)
        ax.text(x, y, str(n), ha="center", va="center", fontsize=10, zorder=3)
    top = max(y for _, y in nodes.values()) + 0.75
    bottom = min(y for _, y in nodes.values()) - 0.75
    forward_labels = {
        "X": [label("X")],
        "H": [label("H_in"), label("H_out")],
        "O": [label("O_in"), label("O_out"), label("Y") + "  (labels)"],
    }
    backward_labels = {
        "X": [label("W1_update")],
        "H": [label("H_error"), label("H_delta")],
        "O": [label("O_error"), label("O_delta"), label("W2_update")],
    }
    for layer, x in columns.items():
        ax.text(x, top, "\n".join(forward_labels[layer]), ha="center", va="bottom", fontsize=13)
        ax.text(x, bottom, "\n".join(backward_labels[layer]), ha="center", va="top", fontsize=13)
    for x, name in ((0.5, "W1"), (1.5, "W2")):
        ax.text(x, top - 0.3, label(name), ha="center", fontsize=13, color="#08519c")
    ax.text(-0.35, top + 0.1, "forward", ha="right", va="bottom", fontsize=12, style="italic")
    ax.text(-0.35, bottom - 0.1, "backward", ha="right", va="top", fontsize=12, style="italic")
    ax.set(xlim=(-0.75, 2.45), ylim=(bottom - 1.5, top + 1.5))
    ax.set_title("The series' net on 3 flowers: every quantity and its shape", fontsize=14)
    ax.axis("off")
    figure.tight_layout()
    return figure


def result_shape(result: verify.EquationCheck) -> str:
    """``3 x 2`` (with a multiplication sign), ``scalar``, or ``4 arrays`` (``feedforward``)."""
    if len(result.components) > 1:
        return result.shape_label()
    return f" {TIMES} ".join(str(n) for n in result.shape) or "scalar"


def shape_table(part: int) -> str:
    """One part's equations: id, equation, arguments with their shapes, result's shape."""
    rows = [
        "| id | equation | arguments (declared dimensions = sizes on 3 flowers) | result |",
        "|---|---|---|---|",
    ]
    for entry in CATALOGUE.values():
        if entry.part != part:
            continue
        arguments = "; ".join(
            f"`{name}`: {shape_text(dims)}" for name, dims in argument_shapes(entry)
        )
        result = result_shape(jax_check(entry))
        rows.append(f"| `{entry.id}` | ${entry.latex}$ | {arguments or '-'} | {result} |")
    return "\n".join(rows)


def net_page(images: Path) -> str:
    """The drawing of the net (written to ``images/net.png``) and a shape table per part."""
    images.mkdir(parents=True, exist_ok=True)
    figure = net_figure()
    figure.savefig(images / "net.png", dpi=120)
    letters = ", ".join(f"`{letter}` {name}" for letter, name in checks.DIMENSIONS.items())
    lines = [
        "# The net and its shapes",
        "",
        "The series' net on its three flowers: every quantity of one feedforward and one",
        "backpropagation pass, with its shape. The drawing is made from the catalogue's",
        "symbols and the shapes of a real pass when the site is built.",
        "",
        "```{image} images/net.png",
        ":alt: The 4-2-3 net with X, W1, H_in, H_out, W2, O_in, O_out, Y and the backward quantities, each with its shape",
        "```",
        "",
        "## Shapes, part by part",
        "",
        "Each function declares the dimensions of its arguments right below it",
        f'(`checked(hidden_layer_delta, H_error="e j", ...)`); the letters are {letters}. On the series\' three',
        "flowers `e` = 3, `i` = 4, `j` = 2, `k` = 3. The result's shape is the one the JAX",
        "check measured; for a formula written one entry at a time (parts 9-12's scalar",
        "forms) the check computes every entry, so it is the shape of all of them.",
    ]
    for part in sorted({entry.part for entry in CATALOGUE.values()}):
        title = "Parts 3 and 4" if part == 3 else f"Part {part}"
        lines += ["", f"### {title}", "", shape_table(part)]
    return "\n".join(lines) + "\n"
