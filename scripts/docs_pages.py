"""Pages of the documentation site made from the concepts' own declarations (run by mkdocs-gen-files).

One page per concept: its description, the video and still that `make demo` rendered (when
media/gallery holds them), a command per preset, the parameter table (types, ranges, defaults from
params.py) and a link to its trace format. Nothing here is typed twice: a new concept gets its page.
"""
from __future__ import annotations

import os
from pathlib import Path

import mkdocs_gen_files

from deepviz import catalog
from deepviz.gallery import output_stem

GALLERY = Path(os.environ.get("DEEPVIZ_DOCS_MEDIA", "media/gallery"))  # what `make demo` wrote


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def media(concept: catalog.Concept, preset: str) -> str:
    """A video with its still from the gallery, copied into the site; a note when it was not rendered."""
    base, stem = GALLERY / concept.name, output_stem(preset, "low", "dark", burn_captions=False)
    if not (base / f"{stem}.mp4").is_file():
        return "!!! note\n    Run `make demo` before `make docs` to embed this preset's video here.\n"
    files = {"mp4": base / f"{stem}.mp4", "poster.jpg": base / f"{stem}.poster.jpg"}
    for ext, src in files.items():
        if src.is_file():
            with mkdocs_gen_files.open(f"concepts/media/{concept.name}/{stem}.{ext}", "wb") as f:
                f.write(src.read_bytes())
    poster = f' poster="../media/{concept.name}/{stem}.poster.jpg"' if files["poster.jpg"].is_file() else ""
    return (f'<video controls preload="none" width="100%"{poster} '
            f'src="../media/{concept.name}/{stem}.mp4"></video>\n')


def concept_page(c: catalog.Concept) -> str:
    lines = [f"# {c.title}", "", f"`{c.name}` — {c.summary}", "", c.description, ""]
    lines += [media(c, c.default_preset.name), "## Presets", "", "| preset | shows | command |", "|---|---|---|"]
    lines += [f"| `{p.name}` | {cell(p.summary)} | `deepviz render {c.name} --preset {p.name}` |" for p in c.presets]
    lines += ["", "## Parameters", "", "| option | type | allowed | default | meaning |", "|---|---|---|---|---|"]
    for p in c.params:
        default = "auto" if p.default is None else p.format(p.default)
        lines.append(f"| `{p.flag}` | {p.type_name()} | {cell(p.allowed())} | `{cell(default)}` | {cell(p.help)} |")
    nxt = catalog.next_in_course(c.name)
    lines += ["", "## Trace", "", f"`deepviz trace {c.name} -o t.json` writes every number the video shows; "
              f"its format is in [the trace format of `{c.name}`](../traces/{c.name}.md)."]
    if nxt is not None:
        lines += ["", f"Next in the course: [{nxt.title}]({nxt.name}.md)."]
    return "\n".join(lines) + "\n"


course = catalog.course()
rows = [f"| {i} | [{c.title}]({c.name}.md) | {cell(c.summary)} | {', '.join(f'`{p.name}`' for p in c.presets)} |"
        for i, c in enumerate(course, 1)]
with mkdocs_gen_files.open("concepts/index.md", "w") as f:
    f.write("# Concepts\n\nIn course order; every page is made from the concept's declaration.\n\n"
            "| # | concept | what it shows | presets |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
for c in course:
    with mkdocs_gen_files.open(f"concepts/{c.name}.md", "w") as f:
        f.write(concept_page(c))
traces = sorted(p.stem for p in Path("docs/traces").glob("*.md"))
with mkdocs_gen_files.open("traces/index.md", "w") as f:
    f.write("# Trace formats\n\nWhat `deepviz trace` writes, concept by concept.\n\n"
            + "\n".join(f"- [`{t}`]({t}.md)" for t in traces) + "\n")

summary = ["- [Getting started](index.md)", "- [Concepts](concepts/index.md)"]
summary += [f"    - [{c.title}](concepts/{c.name}.md)" for c in course]
summary += ["- [Your own model](own-model.md)", "- [The studio](studio.md)", "- [Python API](api.md)",
            "- [Adding a concept](adding-a-concept.md)", "- [Architecture](architecture.md)", "- [Colours](colours.md)",
            "- [Trace formats](traces/index.md)"]
summary += [f"    - [`{t}`](traces/{t}.md)" for t in traces]
with mkdocs_gen_files.open("SUMMARY.md", "w") as f:
    f.write("\n".join(summary) + "\n")
