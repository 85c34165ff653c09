#!/usr/bin/python3
"""Puts a real run's answer into the docs: `make docs-figures` runs the experiment and calls this.

    docs_answer.py RUN_DIR OUTPUT_TXT DOCS_DIR README

RUN_DIR: the run's results folder (its graphs drawn); OUTPUT_TXT: what offload-bench printed.
Copies the main figure to DOCS_DIR/latency_vs_load.png, writes the printed tables and machine
line (without the results path, which names this machine's folders) to
DOCS_DIR/experiment-answer.txt, and puts the same text into README between the markers
<!-- answer:begin --> and <!-- answer:end -->.
"""
import pathlib
import shutil
import sys

BEGIN, END = "<!-- answer:begin -->", "<!-- answer:end -->"


def answer_text(output: str) -> str:
    lines = output.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("Responsive capacity")), None)
    if start is None:
        raise SystemExit("docs_answer: no 'Responsive capacity' table in the run's output")
    kept = [l for l in lines[start:] if not l.startswith("results: ")]
    return "\n".join(kept).rstrip() + "\n"


def main(argv):
    if len(argv) != 5:
        raise SystemExit(__doc__)
    run, output, docs, readme = (pathlib.Path(a) for a in argv[1:])
    figure = run / "latency_vs_load.png"
    if not figure.is_file():
        raise SystemExit(f"docs_answer: {figure}: no figure (was `make graph` run on it?)")
    text = answer_text(output.read_text())
    body = readme.read_text()
    if BEGIN not in body or END not in body:
        raise SystemExit(f"docs_answer: {readme} lacks the {BEGIN} ... {END} markers")
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(figure, docs / "latency_vs_load.png")
    (docs / "experiment-answer.txt").write_text(text)
    head, rest = body.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n```\n{text}```\n{END}{tail}")
    print(f"docs: {docs / 'latency_vs_load.png'}, {docs / 'experiment-answer.txt'}, {readme}")


if __name__ == "__main__":
    main(sys.argv)
