"""Draws the HTTP load test's rounds as an SVG bar chart: each case's median
requests/s as a bar, every round as a dot on it.

    RESULTS=rounds.txt ROUNDS=5 examples/http_load/run.sh
    python3 examples/charts/http_rounds.py rounds.txt book/src/charts/http.svg

The input has one line per case and round: server protocol requests/s p50
p99 cpu busy (what run.sh writes to $RESULTS). Standard library only.
"""
import statistics
import sys
from html import escape

WIDTH, BAR, GAP, LEFT, TOP = 640, 26, 12, 170, 40


def read(path):
    cases = {}
    with open(path) as lines:
        for line in lines:
            fields = line.split()
            if len(fields) < 3:
                continue
            cases.setdefault(f"{fields[0]} {fields[1]}", []).append(float(fields[2]))
    return cases


def nice_step(most):
    """A round tick step (1, 2 or 5 times a power of ten) giving 4 to 10 ticks."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if most / (factor * power) <= 8:
                return factor * power
        power *= 10


def draw(cases, title):
    most = max(max(rounds) for rounds in cases.values())
    scale = (WIDTH - LEFT - 70) / most
    height = TOP + len(cases) * (BAR + GAP) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">',
        f'<text x="{LEFT}" y="22" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (case, rounds) in enumerate(cases.items()):
        y = TOP + i * (BAR + GAP)
        median = statistics.median(rounds)
        colour = "#3b6ea5" if case.startswith("diglot") else "#9a9a9a"
        out.append(f'<text x="{LEFT - 8}" y="{y + BAR * 0.68}" text-anchor="end">{escape(case)}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{median * scale:.1f}" height="{BAR}" fill="{colour}"/>')
        for value in rounds:
            out.append(
                f'<circle cx="{LEFT + value * scale:.1f}" cy="{y + BAR / 2}" r="3" '
                'fill="white" stroke="black" stroke-width="1"/>'
            )
        out.append(
            f'<text x="{LEFT + median * scale + 8:.1f}" y="{y + BAR * 0.68}">{median / 1000:.0f} k</text>'
        )
    axis = TOP + len(cases) * (BAR + GAP)
    out.append(f'<line x1="{LEFT}" y1="{axis}" x2="{WIDTH - 60}" y2="{axis}" stroke="black"/>')
    step = nice_step(most)
    tick = 0
    while tick <= most:
        x = LEFT + tick * scale
        out.append(f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{axis + 5}" stroke="black"/>')
        out.append(f'<text x="{x:.1f}" y="{axis + 18}" text-anchor="middle">{tick // 1000} k</text>')
        tick += step
    out.append(
        f'<text x="{LEFT}" y="{axis + 34}" font-size="11">requests/s: bar = median of the rounds, '
        "dots = each round</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: http_rounds.py ROUNDS_FILE OUT.svg")
    cases = read(sys.argv[1])
    if not cases:
        sys.exit(f"http_rounds.py: no rounds in {sys.argv[1]}")
    rounds = max(len(r) for r in cases.values())
    svg = draw(cases, f"calc.add over HTTP, {rounds} interleaved rounds")
    with open(sys.argv[2], "w") as out:
        out.write(svg)


main()
