"""The `lanzagraph` command: argument parsing, printing and exit codes. No graph logic here."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import QueryBoolean, QuerySolutions, serialize

from lanzagraph import __version__, build, formats
from lanzagraph.backends import open_store
from lanzagraph.errors import LanzagraphError, ValidationFailed
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value
        for key, value in {
            "store": args.store, "base_uri": args.base_uri, "host": getattr(args, "host", None),
            "port": getattr(args, "port", None), "workers": getattr(args, "workers", None),
        }.items()
        if value is not None
    }
    return Settings(**overrides)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    result = build.build(settings, _say)
    for warning in result.warnings:
        _say(f"  - {warning}")
    print(f"built {result.version.triples} triples ({result.asserted} asserted, {result.inferred} inferred), "
          f"{len(result.warnings)} warning(s), version {result.version.label}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    files = [Path(f).resolve() for f in args.files] if args.files else None
    checked = build.check(settings, _say if args.verbose else (lambda _m: None), data_files=files)
    errors = [r for r in checked.results if r.severity == "Violation"]
    for result in checked.results:
        print(f"- {result}")
    print(f"{len(errors)} violation(s), {len(checked.results) - len(errors)} warning(s); "
          f"{checked.asserted} asserted and {checked.inferred} inferred triples checked; {checked.consistency.reason}")
    return EXIT_FAILED if errors else EXIT_OK


def _open_store(settings: Settings) -> GraphStore:
    build.ensure_built(settings, _say)
    return open_store(settings)


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    text = args.query
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    store = _open_store(settings)
    try:
        result = store.query(text)
    except SyntaxError as err:
        _say(f"lanzagraph: the query does not parse: {err}")
        return EXIT_USAGE
    if isinstance(result, QueryBoolean):
        fmt = formats.results_format(args.format or "json")
        if fmt is None:
            _say(f"lanzagraph: --format {args.format} does not apply to ASK (json, xml, csv, tsv)")
            return EXIT_USAGE
        result.serialize(sys.stdout.buffer, format=fmt[1])
        sys.stdout.buffer.write(b"\n")
    elif isinstance(result, QuerySolutions):
        name = args.format or "table"
        if name == "table":
            _print_table(result)
            return EXIT_OK
        fmt = formats.results_format(name)
        if fmt is None:
            _say(f"lanzagraph: --format {name} does not apply to SELECT (table, json, xml, csv, tsv)")
            return EXIT_USAGE
        result.serialize(sys.stdout.buffer, format=fmt[1])
    else:
        assert not isinstance(result, (QuerySolutions, QueryBoolean))
        gfmt = formats.graph_format(args.format or "turtle")
        if gfmt is None:
            _say(f"lanzagraph: --format {args.format} does not apply to CONSTRUCT/DESCRIBE "
                 f"({', '.join(formats.GRAPH_FORMATS)})")
            return EXIT_USAGE
        serialize(result, sys.stdout.buffer, format=gfmt[1])
    sys.stdout.flush()
    return EXIT_OK


def _print_table(solutions: QuerySolutions) -> None:
    names = [v.value for v in solutions.variables]
    rows = [[(s[n].value if s[n] is not None else "") for n in names] for s in solutions]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for row in rows:
        print("  ".join(c[:60].ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} rows)")


def cmd_obligations(args: argparse.Namespace) -> int:
    from lanzagraph.obligations import format_text, obligations_for

    settings = _settings(args)
    store = _open_store(settings)
    result = obligations_for(store, args.party)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_text(result))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from lanzagraph.web.server import serve

    settings = _settings(args)
    build.ensure_built(settings, _say)
    serve(settings)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="store path (default .lanzagraph/store, or $LANZAGRAPH_STORE)")
    common.add_argument("--base-uri", help="base of instance URIs (default https://w3id.org/lanzagraph/)")

    top = argparse.ArgumentParser(prog="lanzagraph", description="A knowledge graph of the Lanzarote Convention.")
    top.add_argument("--version", action="version", version=f"lanzagraph {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", parents=[common], help="load, reason, validate and switch in a new store")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", parents=[common], help="SHACL report; exit 1 on violations")
    p.add_argument("files", nargs="*", help="data files to check instead of data/*.ttl")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("serve", parents=[common], help="the HTTP service (builds first if needed)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("query", parents=[common], help="run a SPARQL query (text or @file.rq)")
    p.add_argument("query")
    p.add_argument("--format", help="table (SELECT default), json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("obligations", parents=[common], help="what a Party is asked to do")
    p.add_argument("party", help="ISO code or name, e.g. GE, Georgia, Moldova")
    p.add_argument("--json", action="store_true", help="the same answer as the HTTP API, as JSON")
    p.set_defaults(func=cmd_obligations)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationFailed as err:
        _say(f"lanzagraph: build failed, the previous store is unchanged.\n{err}")
        return EXIT_FAILED
    except LanzagraphError as err:
        _say(f"lanzagraph: {err}")
        return EXIT_FAILED
    except OSError as err:
        _say(f"lanzagraph: {err}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
