"""A griffe extension: the reStructuredText in minigrad's docstrings, as Markdown for mkdocstrings.

* ``.. math::`` blocks become ``$$ ... $$`` display maths (typeset by arithmatex and MathJax);
* ``:class:`~minigrad.optim.Adam``` and its kin become links to the entry of that name;
* a paragraph ending in ``::`` ends in ``:`` (the indented block after it is code either way);
* a doctest outside an ``Examples:`` section is fenced as code, so that its output
  (``[[0, 1], [2, 3]]``) is not read as Markdown links.
"""

import re

import griffe

_MATH = re.compile(  # the directive, then the lines indented more than it
    r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)\n(?P<body>(?:(?P=indent)[ \t]+\S.*\n?)*)",
    re.MULTILINE)
_DOCTEST = re.compile(r"^(?P<indent>[ \t]*)>>> .*\n?(?:(?P=indent)\S.*\n?)*", re.MULTILINE)
_ROLE = re.compile(r":(?P<kind>class|func|meth|attr|mod|data|obj|exc):`~?(?P<path>[\w.]+)`")


def _math(match):
    lines = [match["first"]] + [line.strip() for line in match["body"].splitlines()]
    formula = " ".join(line for line in lines if line)
    return f"{match['indent']}$$\n{match['indent']}{formula}\n{match['indent']}$$\n"


def _role(match):
    path = match["path"]
    public = path.startswith("minigrad.") and "._" not in path and match["kind"] in ("class", "func", "meth")
    return f"[`{path.rsplit('.', 1)[-1]}`][{path}]" if public else f"`{path}`"


def _doctest(match):
    indent, block = match["indent"], match[0].rstrip("\n")
    return f"{indent}```pycon\n{block}\n{indent}```\n"


def _fence_doctests(text):
    """Fence the doctests outside ``Examples:`` sections (griffe parses those into code itself;
    ``Example:`` is an admonition to griffe, its doctests are fenced here)."""
    parts = re.split(r"(^Examples:[ \t]*\n(?:[ \t]+.*\n?|[ \t]*\n)*)", text, flags=re.MULTILINE)
    return "".join(part if i % 2 else _DOCTEST.sub(_doctest, part) for i, part in enumerate(parts))


def markdown(text):
    """The Markdown form of one docstring."""
    text = _fence_doctests(_MATH.sub(_math, text))
    text = _ROLE.sub(_role, text)
    text = re.sub(r"^[ \t]*::[ \t]*$", "", text, flags=re.MULTILINE)  # a bare '::' line introduces code
    return re.sub(r"(\S)::[ \t]*$", r"\1:", text, flags=re.MULTILINE)


class RstToMarkdown(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
