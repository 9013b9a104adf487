"""Draws the shared-memory benchmark's rounds as an SVG chart of call
latency per transport: for each payload, one row per transport with the
median p50 as a bar, the median p99 as a whisker, and each round's p50 as a
dot, on a logarithmic time axis (the transports differ by orders of
magnitude).

    target/release/examples/shm_bench --rounds 5 | tee shm-rounds.txt
    python3 examples/charts/latency.py shm-rounds.txt book/src/charts/latency.svg

The input is shm_bench's output; the chart reads its per-round lines,
`transport=T payload=P p50_ns=N p99_ns=N ...`, and ignores the rest.
Standard library only.
"""
import math
import statistics
import sys
from html import escape

WIDTH, BAR, GAP, GROUP_GAP, LEFT, TOP = 680, 16, 6, 18, 150, 44
COLOURS = {"floor": "#9a9a9a", "shm": "#3b6ea5", "unix": "#5f9e6e", "tcp": "#c08a3e"}


def read(path):
    """{payload: {transport: [(p50_ns, p99_ns), ...]}}, in the order first seen."""
    rows = {}
    with open(path) as lines:
        for line in lines:
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            if not {"transport", "payload", "p50_ns", "p99_ns"} <= fields.keys():
                continue
            sample = (int(fields["p50_ns"]), int(fields["p99_ns"]))
            rows.setdefault(fields["payload"], {}).setdefault(fields["transport"], []).append(sample)
    return rows


def label(ns):
    if ns >= 1_000_000:
        return f"{ns / 1e6:.3g} ms"
    return f"{ns / 1e3:.3g} µs"


def draw(rows, title):
    every = [ns for group in rows.values() for samples in group.values() for s in samples for ns in s]
    low = 10 ** math.floor(math.log10(min(every)))
    high = 10 ** math.ceil(math.log10(max(every)))
    span = WIDTH - LEFT - 30
    x = lambda ns: LEFT + span * math.log10(ns / low) / math.log10(high / low)  # noqa: E731
    count = sum(len(group) for group in rows.values())
    height = TOP + count * (BAR + GAP) + len(rows) * GROUP_GAP + 50
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">',
        f'<text x="{LEFT}" y="22" font-weight="bold">{escape(title)}</text>',
    ]
    y = TOP
    for payload, group in rows.items():
        out.append(f'<text x="8" y="{y + BAR * 0.8}" font-weight="bold">{escape(payload)}</text>')
        for transport, samples in group.items():
            p50 = statistics.median(s[0] for s in samples)
            p99 = statistics.median(s[1] for s in samples)
            colour = COLOURS.get(transport, "#6a4c93")
            mid = y + BAR / 2
            out.append(f'<text x="{LEFT - 8}" y="{y + BAR * 0.8}" text-anchor="end">{escape(transport)}</text>')
            out.append(f'<rect x="{LEFT}" y="{y}" width="{x(p50) - LEFT:.1f}" height="{BAR}" fill="{colour}"/>')
            out.append(f'<line x1="{x(p50):.1f}" y1="{mid}" x2="{x(p99):.1f}" y2="{mid}" stroke="black"/>')
            out.append(f'<line x1="{x(p99):.1f}" y1="{y + 3}" x2="{x(p99):.1f}" y2="{y + BAR - 3}" stroke="black"/>')
            for sample in samples:
                out.append(
                    f'<circle cx="{x(sample[0]):.1f}" cy="{mid}" r="2.5" fill="white" stroke="black" stroke-width="1"/>'
                )
            out.append(f'<text x="{x(p99) + 6:.1f}" y="{y + BAR * 0.8}" font-size="11">{label(p50)}</text>')
            y += BAR + GAP
        y += GROUP_GAP
    axis = y
    out.append(f'<line x1="{LEFT}" y1="{axis}" x2="{LEFT + span}" y2="{axis}" stroke="black"/>')
    tick = low
    while tick <= high:
        out.append(f'<line x1="{x(tick):.1f}" y1="{axis}" x2="{x(tick):.1f}" y2="{axis + 5}" stroke="black"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{axis + 18}" text-anchor="middle">{label(tick)}</text>')
        tick *= 10
    out.append(
        f'<text x="{LEFT}" y="{axis + 36}" font-size="11">log scale; bar: median p50, whisker: median p99, '
        "dots: each round's p50</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: latency.py SHM_BENCH_OUTPUT OUT.svg")
    rows = read(sys.argv[1])
    if not rows:
        sys.exit(f"latency.py: no transport=… lines in {sys.argv[1]}")
    rounds = max(len(samples) for group in rows.values() for samples in group.values())
    svg = draw(rows, f"Call latency per transport, across cores, {rounds} rounds")
    with open(sys.argv[2], "w") as out:
        out.write(svg)


main()
