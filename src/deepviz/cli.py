"""The one entry point: ``deepviz list | trace | render | gallery``.

Every concept's parameters become options of ``trace`` and ``render``, generated from the
concept's declaration. Bad input exits with status 2 and one line naming the parameter.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from . import catalog
from .params import Bool, ParamError, quote, quote_path

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump) and exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


class _UsageError(Exception):
    pass


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30, width=100)


def _add_concept_params(parser: argparse.ArgumentParser, concept: catalog.Concept) -> None:
    group = parser.add_argument_group(f"{concept.name} parameters")
    group.add_argument("--preset", choices=concept.preset_names(), metavar="NAME",
                       help=f"start from a preset: {', '.join(concept.preset_names())} "
                            f"(default {concept.default_preset.name})")
    for p in concept.params:
        kwargs: dict[str, Any] = {"dest": f"param_{p.name}", "default": None, "help": p.describe()}
        if isinstance(p, Bool):
            kwargs.update(nargs="?", const="true", metavar="true|false")
        else:
            kwargs.update(metavar=p.type_name().upper().replace(" ", "_"))
        group.add_argument(p.flag, **kwargs)


def _concept_help(concept: catalog.Concept) -> str:
    lines = [f"{concept.name}: {concept.summary}", "  presets:"]
    lines += [f"    {p.name:26s} {p.summary}" for p in concept.presets]
    lines.append("  parameters:")
    lines += [f"    {p.flag:26s} {p.describe()}" for p in concept.params]
    return "\n".join(lines)


def _add_render_options(parser: argparse.ArgumentParser, formats: bool = True) -> None:
    from .render import FORMATS, PUBLIC_QUALITIES, THEMES

    g = parser.add_argument_group("output")
    g.add_argument("-q", "--quality", default="low", choices=PUBLIC_QUALITIES,
                   help="low = 480p15, medium = 720p30, high = 1080p60, 4k = 2160p60 (default low)")
    g.add_argument("--theme", default="dark", choices=THEMES, help="dark, or light for slides (default dark)")
    if formats:
        g.add_argument("--format", default="mp4", choices=FORMATS,
                       help="mp4, gif, png = the last frame, or slides = reveal.js HTML and PowerPoint (default mp4)")
    else:
        parser.set_defaults(format="slides")
    g.add_argument("--burn-captions", action="store_true", help="draw the captions into the frames")
    g.add_argument("--voice", action="store_true",
                   help="speak the narration into the video (festival, or espeak-ng: Debian packages)")
    g.add_argument("-o", "--output", default="media", metavar="DIR", help="output directory (default ./media)")
    g.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="render an MP4 in N parts on N cores, joined without re-encoding (default: every core "
                        "for -q high and 4k, else 1)")


def build_parser() -> argparse.ArgumentParser:
    concepts = catalog.concepts()
    parser = _Parser(prog="deepviz", formatter_class=_Formatter,
                     description="Visual explanations of deep-learning concepts, computed by PyTorch.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"deepviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    sub.add_parser("list", help="list the concepts, their summaries and presets", formatter_class=_Formatter)

    epilog = "\n\n".join(_concept_help(c) for c in concepts)
    trace = sub.add_parser("trace", help="compute a concept's trace and write it as JSON",
                           formatter_class=_Formatter, epilog=epilog)
    trace_sub = trace.add_subparsers(dest="concept", metavar="CONCEPT", parser_class=_Parser)
    trace_sub.required = True
    render = sub.add_parser("render", help="render a concept to video with captions and trace",
                            formatter_class=_Formatter, epilog=epilog)
    render_sub = render.add_subparsers(dest="concept", metavar="CONCEPT", parser_class=_Parser)
    render_sub.required = True
    slides = sub.add_parser("slides", help="a presentation: each narration step a slide (reveal.js HTML, PowerPoint)",
                            formatter_class=_Formatter, epilog=epilog)
    slides_sub = slides.add_subparsers(dest="concept", metavar="CONCEPT", parser_class=_Parser)
    slides_sub.required = True
    for c in concepts:
        sp = slides_sub.add_parser(c.name, help=c.summary, description=c.description, formatter_class=_Formatter)
        _add_concept_params(sp, c)
        _add_render_options(sp, formats=False)
        tp = trace_sub.add_parser(c.name, help=c.summary, description=c.description, formatter_class=_Formatter)
        _add_concept_params(tp, c)
        tp.add_argument("-o", "--output", default="-", metavar="FILE", help="JSON file (default: standard output)")
        rp = render_sub.add_parser(c.name, help=c.summary, description=c.description, formatter_class=_Formatter)
        _add_concept_params(rp, c)
        _add_render_options(rp)

    gallery = sub.add_parser("gallery", help="render every preset and write a static HTML gallery",
                             formatter_class=_Formatter)
    _add_gallery_options(gallery)
    _add_diagram_parser(sub)
    sub.add_parser("doctor", help="check the system tools deepviz uses and name the Debian packages of missing ones",
                   formatter_class=_Formatter)
    studio = sub.add_parser("studio", help="start the local web app: the neural-network playground and the gallery",
                            formatter_class=_Formatter)
    studio.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    studio.add_argument("--port", type=int, default=8765, help="(default 8765)")
    studio.add_argument("--open", action="store_true", help="open the page in the browser")
    studio.add_argument("--max-sessions", type=int, default=16, metavar="N",
                        help="playground tabs trained at once (default 16); one more is told the studio is full")
    studio.add_argument("--media", default="media", metavar="DIR",
                        help="the rendered videos the gallery shows (deepviz gallery writes DIR/gallery) and where "
                             "the studio's renders go (DIR/studio); default ./media")
    studio.add_argument("--model", metavar="FILE.py:NAME",
                        help="your own model: a function or class in your file that builds it; with an image "
                             "input (1,C,H,W) it drives the /cnn page, with token ids (1,T:long) the /transformer page")
    studio.add_argument("--weights", metavar="FILE.pt", help="--model's state_dict (read with torch.load(weights_only=True))")
    studio.add_argument("--input", metavar="SHAPE", help="--model's input shape: 1,3,32,32 (an image) or 1,64:long (tokens)")
    studio.add_argument("--logdir", default=None, metavar="DIR",
                        help="training runs (TensorBoard event files, e.g. from deepviz.watch) for the /runs page")
    studio.add_argument("--cluster", metavar="ray|ray://HOST:PORT",
                        help="train the playground sessions as Ray actors: on a local Ray instance (ray) or an existing "
                             "cluster (needs pip install 'deepviz[cluster]')")
    _add_runs_parser(sub)
    return parser


def _add_runs_parser(sub) -> None:
    runs = sub.add_parser("runs", help="training runs (TensorBoard logdirs, e.g. from deepviz.watch): diagnose, "
                                       "summary", formatter_class=_Formatter)
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="ACTION", parser_class=_Parser)
    runs_sub.required = True
    for name, text in (("diagnose", "what went wrong in each run, with the step it began and a suggestion"),
                       ("summary", "each run's final scalars")):
        p = runs_sub.add_parser(name, help=text, description=text, formatter_class=_Formatter)
        p.add_argument("logdir", metavar="LOGDIR", help="a folder of runs (any TensorBoard logdir)")


def cmd_runs(args) -> int:
    from .runs.report import diagnose_lines, summary_lines

    lines = (diagnose_lines if args.runs_command == "diagnose" else summary_lines)(args.logdir)
    print("\n".join(lines))
    return 0


def _add_diagram_parser(sub) -> None:
    p = sub.add_parser("diagram", help="draw your own model: block, node-link or 3D-volume diagram",
                       formatter_class=_Formatter,
                       description="Capture one forward pass of your model on an example input and draw it.",
                       epilog="example:\n  deepviz diagram net.py:build_model --input 1,3,224,224 --style block -o net.svg"
                              "\n  deepviz diagram gpt.py:GPT --input 1,128:long -o gpt.pdf")
    p.add_argument("model", metavar="FILE.py:NAME", help="a function or class in your file that builds the model "
                                                         "(called with no arguments)")
    p.add_argument("--input", action="append", required=True, metavar="SHAPE",
                   help="the example input's shape, e.g. 1,3,224,224 or 1,128:long (repeat for several inputs); "
                        "a list of shapes in brackets, e.g. [3,320,320;3,256,256]; name=SHAPE for a keyword "
                        "input, e.g. attention_mask=1,128:long")
    p.add_argument("--dtype", default="float32", help="dtype of inputs without their own (default float32; "
                                                      "long for token ids)")
    p.add_argument("--style", default="block", help="block (default), node-link or volumes")
    p.add_argument("--depth", type=int, default=None, help="block style: how deep the module hierarchy unfolds "
                                                           "(default: the deepest that stays readable)")
    p.add_argument("--theme", default="light", help="light (default) or dark")
    p.add_argument("--device", default="auto", help="auto (default: shapes only on the meta device when the "
                                                    "model allows), meta, or real")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="a .svg, .png, .pdf or .dot file "
                                                                        "(default NAME.svg)")


def _add_gallery_options(parser: argparse.ArgumentParser) -> None:
    from .render import PUBLIC_QUALITIES, THEMES

    parser.add_argument("-q", "--quality", default="low", choices=PUBLIC_QUALITIES, help="(default low)")
    parser.add_argument("--theme", default="dark", choices=THEMES, help="(default dark)")
    parser.add_argument("-o", "--output", default="media/gallery", metavar="DIR", help="(default media/gallery)")
    parser.add_argument("--voice", action=argparse.BooleanOptionalAction, default=None,
                        help="speak the narration into the videos (festival, or espeak-ng: Debian packages; "
                             "default: spoken by festival if it is installed)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="parallel render processes (default: the number of cores)")
    parser.add_argument("--concept", action="append", metavar="NAME", help="only this concept (repeatable)")
    parser.add_argument("--force", action="store_true", help="re-render even what the cache says is current")
    parser.add_argument("--slides", action="store_true",
                        help="also each preset's presentation (reveal.js HTML and PowerPoint, as deepviz slides makes)")
    parser.add_argument("--cluster", metavar="ray|ray://HOST:PORT",
                        help="render the presets as Ray tasks: on a local Ray instance (ray) or an existing cluster "
                             "(needs pip install 'deepviz[cluster]')")


def _user_values(args: argparse.Namespace) -> dict[str, Any]:  # str values (the user's text), spread into **values
    return {k[len("param_"):]: v for k, v in vars(args).items() if k.startswith("param_") and v is not None}


def cmd_list(args) -> int:
    for c in catalog.concepts():
        print(f"{c.name:18s} {c.summary}")
        for p in c.presets:
            mark = "*" if p is c.default_preset else " "
            print(f"  {mark} {p.name:26s} {p.summary}")
    return 0


def cmd_trace(args) -> int:
    from .api import trace

    if args.output != "-":
        check_path(Path(args.output), "output")
    tr = trace(args.concept, preset=args.preset, **_user_values(args))
    text = tr.to_json() + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with _writing(Path(args.output), "output"):
            _write_atomic(Path(args.output), text)
        print(args.output)
    return 0


def cmd_render(args) -> int:
    from .render import render_concept

    check_path(Path(args.output), "output", folder=True)
    result = render_concept(args.concept, args.preset, quality=args.quality, theme=args.theme, fmt=args.format,
                            burn_captions=args.burn_captions, output=args.output, voice=args.voice, jobs=args.jobs,
                            **_user_values(args))
    for kind in ("video", "image", "html", "pptx", "srt", "vtt", "trace"):
        path = getattr(result, kind)
        if path is not None:
            print(f"{kind:6s} {path}")
    return 0


def cmd_gallery(args) -> int:
    from .gallery import build_gallery

    if args.jobs < 1:
        raise ParamError("jobs", f"must be at least 1, got {args.jobs}")
    if args.concept:
        for name in args.concept:
            catalog.get(name)
    check_path(Path(args.output), "output", folder=True)
    if args.cluster:
        from .cluster import check_address

        check_address(args.cluster)
    voice = args.voice
    if voice is None:
        from .gallery import default_voice

        voice = default_voice()
        if voice is None:
            print("gallery: silent videos (for speech: apt-get install festival festvox-us-slt-hts)", flush=True)
    return build_gallery(Path(args.output), quality=args.quality, theme=args.theme, jobs=args.jobs,
                         only=args.concept, force=args.force, voice=voice or False, slides=args.slides,
                         cluster=args.cluster)


NAME_MAX = 255  # bytes in one file name (Linux, macOS)


def check_path(path: Path, option: str, folder: bool = False) -> None:
    """Refuse, before any work, an output path that cannot be written: one line naming ``option``.

    A file must not be an existing folder (a folder not an existing file); no folder above it may
    be a file; no name may be longer than a file name can be; the nearest existing folder must be
    writable.
    """
    what = quote_path(path)
    long = next((part for part in path.parts if len(part.encode()) > NAME_MAX), None)
    if long is not None:
        raise ParamError(option, f"{what}: a name of {len(long.encode())} bytes is longer than a file name may be "
                                 f"({NAME_MAX})")
    try:
        if path.is_dir() and not folder:
            raise ParamError(option, f"{what} is a folder; name a file")
        for parent in [path, *path.parents]:
            if not (parent.exists() or parent.is_symlink()):
                continue
            if parent == path and not folder:
                return  # an existing file is replaced
            if not parent.is_dir():
                raise ParamError(option, f"{what} is a file; name a folder" if parent == path else
                                 f"{what} is under {quote_path(parent)}, which is a file")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ParamError(option, f"{what}: cannot write in {quote_path(parent)} (permission denied)")
            return
    except ParamError:
        raise
    except (OSError, ValueError) as err:  # e.g. a path longer than the system allows
        raise ParamError(option, f"{what}: {getattr(err, 'strerror', None) or err}") from None


@contextlib.contextmanager
def _writing(path: Path, option: str):
    """What check_path could not foresee (a read-only disk, a full one) as one line."""
    try:
        yield
    except OSError as err:
        raise ParamError(option, f"cannot write {quote_path(path)}: {err.strerror or err}") from None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def cmd_diagram(args) -> int:
    from .diagrams import FORMATS, STYLES, DiagramError, diagram
    from .diagrams.capture import SMALL_MODEL, CaptureError
    from .diagrams.loader import load_model, parse_inputs, user_code
    from .style.theme import get_theme

    if args.style not in STYLES:
        raise ParamError("style", f"must be one of {', '.join(STYLES)}; got {quote(args.style)}")
    if args.device not in ("auto", "meta", "real"):
        raise ParamError("device", f"must be auto, meta or real; got {quote(args.device)}")
    get_theme(args.theme)
    out = Path(args.output or f"{args.model.rpartition(':')[2] or 'model'}.svg")
    if out.suffix.lstrip(".").lower() not in FORMATS:
        raise ParamError("output", f"the file must end in {', '.join('.' + f for f in FORMATS)}; "
                                   f"got {quote(out.name)}")
    check_path(out, "output")
    inputs, keywords = parse_inputs(args.input, args.dtype)
    shapes_only = args.style != "node-link" and args.device != "real"
    model = load_model(args.model, "meta" if shapes_only else "cpu")
    if shapes_only and args.device == "auto" and sum(p.numel() for p in model.parameters()) <= SMALL_MODEL:
        model, shapes_only = load_model(args.model, "cpu"), False  # small: a real pass is quicker than meta
    try:
        with user_code(f"running {args.model} on the example input"):
            d = diagram(model, tuple(inputs), style=args.style, depth=args.depth, theme=args.theme, inputs=keywords,
                        device="meta" if shapes_only else "real" if args.device == "auto" else args.device)
    except CaptureError as err:
        if not shapes_only or args.device == "meta":
            raise ParamError("model", str(err)) from None
        try:  # the model may need real weights (e.g. it reads tensor values): build it for real
            model = load_model(args.model, "cpu")
            with user_code(f"running {args.model} on the example input"):
                d = diagram(model, tuple(inputs), style=args.style, depth=args.depth, theme=args.theme,
                            device="real", inputs=keywords)
        except CaptureError as err2:
            raise ParamError("model", str(err2)) from None
    except DiagramError as err:
        name, _, message = str(err).partition(": ")
        raise ParamError(name.lstrip("-"), message) from None
    with _writing(out, "output"):
        d.save(out)
    print(out)
    return 0


def cmd_studio(args) -> int:
    if not 0 < args.port < 65536:
        raise ParamError("port", f"must be from 1 to 65535, got {args.port}")
    if not 1 <= args.max_sessions <= 1024:
        raise ParamError("max-sessions", f"must be from 1 to 1024, got {args.max_sessions}")
    check_path(Path(args.media), "media", folder=True)
    network = own = None
    if _token_input(args):  # token ids: a transformer for /transformer; else an image CNN for /cnn
        from .studio.transformer_own import from_args

        own = from_args(args)
    else:
        network = _studio_cnn(args)
    if args.logdir is not None:
        from .runs.logdir import check_logdir

        check_logdir(Path(args.logdir))
    if args.cluster:
        from .cluster import connect

        connect(args.cluster)  # a bad address, no Ray or no cluster: one line before serving
    import uvicorn

    from .studio.server import SERVER_OPTIONS, create_app

    url = f"http://{args.host}:{args.port}/"
    on = f"  sessions: Ray actors on {args.cluster}" if args.cluster else ""
    print(f"deepviz studio: {url}  gallery: {url}gallery{on}  (Ctrl+C stops it)", flush=True)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [url]).start()
    app = create_app(media=Path(args.media), host=args.host, max_sessions=args.max_sessions,
                     cnn=(lambda: network) if network is not None else None,
                     logdir=Path(args.logdir) if args.logdir else None, transformer=own, cluster=args.cluster)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **SERVER_OPTIONS)
    return 0


def _token_input(args) -> bool:
    """Whether ``--model``'s ``--input`` is token ids (``1,64:long``): the transformer page's kind of input."""
    if args.model is None or args.input is None:
        return False
    from .diagrams.loader import parse_inputs

    inputs, _ = parse_inputs([args.input])
    return (len(inputs) == 1 and isinstance(inputs[0], tuple) and inputs[0][1] is not None
            and not inputs[0][1].is_floating_point)


def _studio_cnn(args):
    """The user's CNN for the /cnn page, built and run once on --input before the studio starts (or None)."""
    if args.model is None:
        for option in ("weights", "input"):
            if getattr(args, option) is not None:
                raise ParamError(option, "goes with --model FILE.py:NAME (your own CNN)")
        return None
    if args.input is None:
        raise ParamError("input", "--model needs the input's shape, e.g. --input 1,3,32,32 (an image) or 1,64:long")
    from .diagrams.loader import parse_inputs

    inputs, _ = parse_inputs([args.input])
    if not (len(inputs) == 1 and isinstance(inputs[0], tuple) and len(inputs[0][0]) == 4):
        raise ParamError("input", f"the studio shows an image 1,C,H,W (on /cnn) or token ids 1,T:long (on "
                                  f"/transformer); got {args.input!r}")
    from .studio.cnn import user_network

    return user_network(args.model, args.weights, args.input)


def cmd_doctor(args) -> int:
    from .doctor import report

    table, ok = report()
    print(table)
    return 0 if ok else 1


COMMANDS = {"studio": cmd_studio, "list": cmd_list, "trace": cmd_trace, "render": cmd_render, "slides": cmd_render,
            "gallery": cmd_gallery,
            "diagram": cmd_diagram, "doctor": cmd_doctor, "runs": cmd_runs}


def main(argv: Sequence[str] | None = None) -> int:
    from .doctor import MissingTool
    from .render import Interrupted, RenderError, stop_on_signals

    try:
        args = build_parser().parse_args(argv)
        if args.command == "studio":  # uvicorn handles the signals of a server
            return COMMANDS[args.command](args)
        with stop_on_signals():  # SIGTERM (a service manager, a job queue, CI) unwinds like Ctrl+C
            return COMMANDS[args.command](args)
    except _UsageError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    except ParamError as err:
        print(f"deepviz: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (MissingTool, RenderError) as err:
        print(f"deepviz: error: {err}", file=sys.stderr)
        return 1
    except Interrupted as err:
        print(f"deepviz: {err.message}", file=sys.stderr)
        return err.exit_status
    except KeyboardInterrupt:
        print("deepviz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
