"""Time ``feedsmith publish`` (and optionally Hugo) on synthetic archives; print a Markdown table.

Usage: ``python benchmarks/run.py --articles 1000 10000 --repeat 5 [--hugo] [--json FILE]``

For each article count N it generates (or reuses) a corpus with ``generate.py`` and measures
fresh ``python -m feedsmith publish`` processes in four scenarios (issues 5 and 10):

- ``cold``: empty output folder and no feedsmith cache;
- ``no change``: republish straight after a publish;
- ``one edit``: append a sentence to the newest article's body, then republish;
- ``a new article``: add one article, newer than every other, then republish.

Each scenario runs ``--repeat`` times; the table gives the median wall time, the fastest run,
the peak resident memory over all runs, and the median of every stage time that feedsmith
prints with ``--timings`` (lines ``timing <stage> <seconds>`` on stderr). With ``--hugo``, Hugo
builds the same corpus (converted by ``hugo_site.py``) cold the same number of times, and the
feedsmith rows show their time and memory as ratios to Hugo's cold build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import generate
import hugo_site

__all__ = ["Result", "Sample", "main", "measure", "render_table"]

NOW = "2026-06-01T00:00:00+00:00"
"""A fixed ``--now`` after the corpus' last date, so every article is published in every run."""
SCENARIOS = ("cold", "no change", "one edit", "a new article")
LEDGER_NAME = "feedsmith.lock"
NEW_ARTICLE_SLUG = "benchmark-new-article"
NEW_ARTICLE_PUBLISHED = (generate.END + timedelta(hours=11)).isoformat()
"""Later than every generated article (they end at ``generate.END``) and before ``NOW``."""
END_DAY = generate.END.date().isoformat()
HUGO_SCENARIO = "hugo cold"
STAGES = ("load", "validate", "markdown", "pages", "feeds", "write")
"""The stages feedsmith reports with ``--timings``, in pipeline order; others are appended."""

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parent
_TIMING = re.compile(r"^timing\s+(\S+)\s+([0-9.eE+-]+)\s*$")
_SAMPLE_INTERVAL = 0.05
"""Seconds between memory samples: a full /proc scan costs ~0.5 ms, so this stays under 1% of
a core that the measured process would otherwise have."""


class BenchError(Exception):
    """A measured command failed or the set-up is unusable; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run of one command."""

    seconds: float
    peak_kib: int
    stages: dict[str, float]
    peak_pss_kib: int = 0  # 0 where the kernel reports no PSS


@dataclass(slots=True)
class Result:
    """All runs of one scenario at one corpus size."""

    articles: int
    tool: str
    scenario: str
    samples: list[Sample] = field(default_factory=list)
    files: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def fastest(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.peak_kib for s in self.samples) / 1024

    @property
    def peak_pss_mib(self) -> float | None:
        peak = max(s.peak_pss_kib for s in self.samples)
        return peak / 1024 if peak else None

    def stage_median(self, stage: str) -> float | None:
        values = [s.stages[stage] for s in self.samples if stage in s.stages]
        return statistics.median(values) if values else None


# ---------------------------------------------------------------------------------------------
# Measuring one process


class _TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process and all its descendants until stopped.

    ``wait4`` reports the largest single process's high-water mark; a process pool's workers
    run at the same time, so their sum is what the machine must hold. Summing RSS counts pages
    shared after ``fork`` once per process: an upper bound. PSS (proportional set size, from
    ``/proc/<pid>/smaps_rollup``) divides each shared page among the processes sharing it, so
    its sum over the tree is the memory the tree really occupies; it is sampled as well.
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self._root = root
        self._done = threading.Event()
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
        self.peak_kib = 0
        self.peak_pss_kib = 0

    def run(self) -> None:
        proc = Path("/proc")
        if not proc.is_dir():
            return  # not Linux: the wait4 high-water mark alone has to do
        while not self._done.is_set():
            rss, pss = self._tree_kib(proc)
            self.peak_kib = max(self.peak_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            self._done.wait(_SAMPLE_INTERVAL)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree_kib(self, proc: Path) -> tuple[int, int]:
        """(summed RSS, summed PSS) of the tree, KiB; PSS is 0 where the kernel lacks it."""
        parents: dict[int, int] = {}
        for entry in os.scandir(proc):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_bytes()
            except OSError:
                continue  # exited while we looked
            # The command name may contain spaces and ")"; the fields after the last ")" don't.
            fields = stat[stat.rfind(b")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
        tree = {self._root}
        grew = True
        while grew:
            before = len(tree)
            tree.update(pid for pid, ppid in parents.items() if ppid in tree)
            grew = len(tree) > before
        total = proportional = 0
        for pid in tree:
            try:
                resident = int((proc / str(pid) / "statm").read_bytes().split()[1])
            except (OSError, IndexError, ValueError):
                continue
            total += resident * self._page_kib
            proportional += _pss_kib(proc / str(pid) / "smaps_rollup")
        return total, proportional


def _pss_kib(rollup: Path) -> int:
    try:
        for line in rollup.read_bytes().splitlines():
            if line.startswith(b"Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def measure(cmd: Sequence[str], *, env: dict[str, str] | None = None) -> Sample:
    """Run ``cmd`` to completion; return its wall time, peak memory and reported stage times.

    Raises :class:`BenchError` if it exits non-zero, with the end of its stderr.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # Files rather than pipes: nothing has to drain them while we sit in wait4.
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        sampler = _TreeMemory(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it, not Popen
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise BenchError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    # ru_maxrss is in KiB on Linux but in bytes on macOS.
    maxrss_kib = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    stages: dict[str, float] = {}
    for line in stderr.splitlines():
        match = _TIMING.match(line.strip())
        if match:
            stages[match[1]] = stages.get(match[1], 0.0) + float(match[2])
    return Sample(seconds, max(maxrss_kib, sampler.peak_kib), stages, sampler.peak_pss_kib)


# ---------------------------------------------------------------------------------------------
# Corpora and sites, cached in the work folder between runs


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _ensure_corpus(folder: Path, n: int, seed: int) -> tuple[Path, float | None]:
    """The content folder for (n, seed); regenerated when missing or made by another generator.

    Returns the folder and the generation time, or None when a cached corpus was reused.
    """
    content = folder / "content"
    stamp = folder / "corpus.stamp"
    want = json.dumps({"n": n, "seed": seed, "generator": _digest(_HERE / "generate.py")})
    if stamp.exists() and stamp.read_text() == want and (content / "site.yaml").exists():
        return content, None
    stamp.unlink(missing_ok=True)
    shutil.rmtree(content, ignore_errors=True)
    started = time.perf_counter()
    generate.generate(n, content, seed)
    seconds = time.perf_counter() - started
    stamp.write_text(want)
    return content, seconds


def _ensure_hugo_site(folder: Path, content: Path) -> Path:
    site = folder / "hugo-site"
    stamp = folder / "hugo.stamp"
    want = (folder / "corpus.stamp").read_text() + _digest(_HERE / "hugo_site.py")
    if stamp.exists() and stamp.read_text() == want:
        return site
    stamp.unlink(missing_ok=True)
    shutil.rmtree(site, ignore_errors=True)
    hugo_site.convert(content, site, datetime.fromisoformat(NOW))
    stamp.write_text(want)
    return site


def _count_files(folder: Path) -> int:
    # Hidden files are feedsmith's cache or temporaries, not published output.
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _clean_feedsmith(content: Path, out: Path) -> None:
    """Make the next publish cold: no output and no cache, in either place feedsmith may keep it.

    ``feedsmith.lock`` stays: it is content the editor commits, not a cache (SPEC).
    """
    shutil.rmtree(out, ignore_errors=True)
    for leftover in content.glob(".feedsmith-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def _newest_article(content: Path) -> Path:
    # File names start with the date, so the last in path order is the newest (or ties it).
    return max((content / "articles").rglob("*.yaml"))


def _restore(path: Path, original: bytes, mtime_ns: int) -> None:
    path.write_bytes(original)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _edit(path: Path, original: bytes, run: int) -> None:
    """Append a paragraph to the article's body, different in text and length on every run.

    The generator writes ``body: |`` last, so indented lines added at the end belong to it.
    A different length each time means even a cache keyed on size and a coarse mtime sees it.
    """
    text = original.decode()
    last_key = [line for line in text.splitlines() if line and not line.startswith(" ")][-1]
    if last_key != "body: |":
        raise BenchError(f"{path}: body is not the last key; cannot edit it safely")
    note = "The figures in this article were revised. " * (run + 1)
    path.write_bytes((text + f"\n  Update {run + 1}: {note.strip()}\n").encode())


# ---------------------------------------------------------------------------------------------
# Scenarios


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class _Step:
    """One scenario: what to do before each run, and the command to measure."""

    result: Result
    prepare: Callable[[int], None]
    cmd: list[str]
    env: dict[str, str] | None
    out: Path


def _feedsmith_env() -> dict[str, str]:
    """Run the checkout's ``src/`` when there is one, installed or not, so edits are measured."""
    env = dict(os.environ)
    # An installed feedsmith has its bytecode compiled (pip does it at install time): measure
    # that, not every module compiled again by every run where this is set.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    src = _REPO / "src"
    if (src / "feedsmith").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
    return env


def _feedsmith_timings_flag(env: dict[str, str]) -> list[str]:
    """``["--timings"]`` if this feedsmith has the option; raises if the CLI does not run."""
    probe = subprocess.run(
        [sys.executable, "-m", "feedsmith", "publish", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        tail = "\n".join((probe.stderr or probe.stdout).strip().splitlines()[-5:])
        raise BenchError(f"`python -m feedsmith publish --help` failed:\n{tail}")
    return ["--timings"] if "--timings" in probe.stdout else []


class _NewArticle:
    """The ``a new article`` scenario's article: added beside the newest one, later than every
    article of the corpus, and taken away again with everything its publish changed.

    Its publish records it in ``feedsmith.lock``; ``remove`` puts the ledger back as it was
    (bytes and mtime), and the folder's mtime too, so the corpus is again the generated one
    as the next ``cold`` and ``no change`` runs expect (see ``cold`` in _feedsmith_steps).
    """

    def __init__(self, newest: Path, content: Path) -> None:
        self._newest = newest
        self._ledger = content / LEDGER_NAME
        self.path = newest.with_name(f"{END_DAY}-{NEW_ARTICLE_SLUG}.yaml")
        self._saved: tuple[bytes | None, int, int] | None = None

    def add(self, run: int) -> None:
        """Write the article, its title different on every run (so are its bytes)."""
        self.remove()
        ledger = self._ledger.read_bytes() if self._ledger.exists() else None
        ledger_mtime = self._ledger.stat().st_mtime_ns if ledger is not None else 0
        self._saved = (ledger, ledger_mtime, self.path.parent.stat().st_mtime_ns)
        lines = []
        for line in self._newest.read_text(encoding="utf-8").splitlines():
            if line.startswith("title:"):
                line = f'title: "Harbour board names a new chair (update {run + 1})"'
            elif line.startswith("published:"):
                line = f"published: {NEW_ARTICLE_PUBLISHED}"
            elif line.startswith("updated:"):
                continue
            lines.append(line)
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def remove(self) -> None:
        if self._saved is None:
            return
        ledger, ledger_mtime, folder_mtime = self._saved
        self.path.unlink(missing_ok=True)
        if ledger is None:
            self._ledger.unlink(missing_ok=True)
        else:
            _restore(self._ledger, ledger, ledger_mtime)
        os.utime(self.path.parent, ns=(folder_mtime, folder_mtime))
        self._saved = None


def _feedsmith_steps(
    n: int, content: Path, folder: Path, edited: Path, added: _NewArticle
) -> list[_Step]:
    env = _feedsmith_env()
    out = folder / "feedsmith-out"
    cmd = [
        sys.executable, "-m", "feedsmith", "publish",
        "--content", str(content), "--out", str(out), "--now", NOW,
        *_feedsmith_timings_flag(env),
    ]  # fmt: skip
    original = edited.read_bytes()
    original_mtime_ns = edited.stat().st_mtime_ns

    def cold(_: int) -> None:
        # Undo the previous round's edit so every cold run sees the generated corpus, mtime
        # included: a file changed a moment ago is not trusted to its stat (cache.is_racy),
        # which would turn the next "no change" run into a real publish.
        if edited.read_bytes() != original:
            _restore(edited, original, original_mtime_ns)
        added.remove()
        _clean_feedsmith(content, out)

    def edit(run: int) -> None:
        _edit(edited, original, run)

    return [
        _Step(Result(n, "feedsmith", "cold"), cold, cmd, env, out),
        _Step(Result(n, "feedsmith", "no change"), lambda _: None, cmd, env, out),
        _Step(Result(n, "feedsmith", "one edit"), edit, cmd, env, out),
        _Step(Result(n, "feedsmith", "a new article"), added.add, cmd, env, out),
    ]


def _hugo_step(n: int, content: Path, folder: Path) -> _Step:
    site = _ensure_hugo_site(folder, content)
    out = folder / "hugo-out"

    def clean(_: int) -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)

    cmd = ["hugo", "--quiet", "-s", str(site), "-d", str(out)]
    return _Step(Result(n, "hugo", HUGO_SCENARIO), clean, cmd, None, out)


def _bench_size(
    n: int, content: Path, folder: Path, repeat: int, *, feedsmith: bool, hugo: bool
) -> list[Result]:
    """Measure every scenario ``repeat`` times at one corpus size.

    Scenarios take turns (Hugo cold, feedsmith cold, no change, one edit, a new article; then
    again) rather
    than running in blocks, so a change in background load while the benchmark runs touches
    all of them alike and the ratios to Hugo stay meaningful.
    """
    edited = _newest_article(content)
    original = edited.read_bytes()
    original_mtime_ns = edited.stat().st_mtime_ns
    added = _NewArticle(edited, content)
    steps = [_hugo_step(n, content, folder)] if hugo else []
    if feedsmith:
        steps += _feedsmith_steps(n, content, folder, edited, added)
    stamp = folder / "corpus.stamp"
    saved_stamp = stamp.read_text()
    # While an article is edited the corpus is not what the stamp says: drop the stamp so an
    # interrupted run regenerates the corpus next time instead of reusing an edited one.
    stamp.unlink()
    try:
        for run in range(repeat):
            for step in steps:
                step.prepare(run)
                sample = measure(step.cmd, env=step.env)
                step.result.samples.append(sample)
                label = step.result.scenario
                if step.result.tool not in label:
                    label = f"{step.result.tool} {label}"
                _progress(
                    f"  n={n}: {label} {run + 1}/{repeat}: "
                    f"{sample.seconds:.3f} s, {sample.peak_kib / 1024:.0f} MiB"
                )
                if run == repeat - 1:
                    # Counted now: feedsmith's scenarios share one output folder, and a new
                    # article adds its page to it.
                    step.result.files = _count_files(step.out)
    finally:
        added.remove()
        _restore(edited, original, original_mtime_ns)
        stamp.write_text(saved_stamp)
    order = {name: i for i, name in enumerate((*SCENARIOS, HUGO_SCENARIO))}
    return sorted((step.result for step in steps), key=lambda r: order[r.scenario])


# ---------------------------------------------------------------------------------------------
# Report


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def render_table(results: Sequence[Result]) -> str:
    """The Markdown table: one row per (size, scenario); ratios are to Hugo's cold build."""
    stages = list(STAGES)
    for result in results:
        for sample in result.samples:
            stages.extend(s for s in sample.stages if s not in stages)
    hugo = {r.articles: r for r in results if r.scenario == HUGO_SCENARIO}
    head = [
        "articles", "scenario", "median s", "fastest s", "peak MiB", "peak PSS MiB", *stages,
        "time / Hugo", "memory / Hugo",
    ]  # fmt: skip
    rows = [head, ["---:", "---", *["---:"] * (len(head) - 2)]]
    for r in results:
        ref = hugo.get(r.articles)
        if ref is not None and r is not ref:
            ratios = [_fmt(r.median / ref.median, 2), _fmt(r.peak_mib / ref.peak_mib, 2)]
        else:
            ratios = ["-", "-"]
        rows.append(
            [
                f"{r.articles:,}",
                r.scenario,
                _fmt(r.median),
                _fmt(r.fastest),
                f"{r.peak_mib:.0f}",
                _fmt(r.peak_pss_mib, 0),
                *(_fmt(r.stage_median(s)) for s in stages),
                *ratios,
            ]
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def _load_average() -> float | None:
    """The 1-minute load average, or None where the platform has none."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _hugo_version() -> str | None:
    if shutil.which("hugo") is None:
        return None
    done = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=False)
    return done.stdout.split()[1] if done.returncode == 0 and done.stdout else "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--articles",
        type=int,
        nargs="+",
        default=[1000, 10000],
        metavar="N",
        help="corpus sizes (default 1000 10000)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--hugo", action="store_true", help="also build with hugo, if on PATH")
    parser.add_argument("--hugo-only", action="store_true", help="measure hugo alone")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "feedsmith-bench",
        help="folder for corpora and outputs, reused between runs (default: in the tmp dir)",
    )
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.articles):
        parser.error("--repeat and --articles must be at least 1")
    with_hugo = args.hugo or args.hugo_only
    hugo = _hugo_version() if with_hugo else None
    if args.hugo_only and hugo is None:
        parser.error("--hugo-only: hugo is not on PATH")
    if args.hugo and hugo is None:
        _progress("hugo is not on PATH: measuring feedsmith only")

    load_before = _load_average()
    cpus = os.cpu_count() or 1
    if load_before is not None and load_before > cpus / 2:
        # Other work competes for the cores being measured; say so rather than mislead.
        _progress(f"warning: load average is {load_before:.1f} on {cpus} CPUs; times will be noisy")
    results: list[Result] = []
    generated: list[str] = []
    try:
        for n in args.articles:
            folder = args.work / f"corpus-n{n}-s{args.seed}"
            folder.mkdir(parents=True, exist_ok=True)
            content, seconds = _ensure_corpus(folder, n, args.seed)
            if seconds is not None:
                generated.append(f"{n:,} articles in {seconds:.1f} s")
            _progress(f"n={n}: corpus {content}")
            results += _bench_size(
                n, content, folder, args.repeat, feedsmith=not args.hugo_only, hugo=hugo is not None
            )
    except BenchError as err:
        print(f"benchmark failed: {err}", file=sys.stderr)
        return 1

    load_after = _load_average()
    load = (
        f"; load average {load_before:.2f} at start, {load_after:.2f} at end"
        if load_before is not None and load_after is not None
        else ""
    )
    print(
        f"feedsmith benchmark: {cpus} CPUs, Python {platform.python_version()}, "
        f"hugo {hugo or 'not measured'}{load}. Median of {args.repeat} runs, seconds of wall "
        "time; peak = resident memory of the whole process tree (RSS summed: pages shared by\n"
        "forked workers count once per process; PSS: shared pages divided among them), MiB.\n"
    )
    print(render_table(results))
    files = ", ".join(
        f"{r.tool} {r.articles:,}: {r.files:,}"
        for r in results
        if r.files is not None and r.scenario in ("cold", HUGO_SCENARIO)
    )
    print(f"\nFiles written by a cold build: {files}.")
    if generated:
        print(f"Corpora generated: {'; '.join(generated)}.")
    if args.json:
        payload = [
            asdict(r) | {"median": r.median, "peak_mib": r.peak_mib, "peak_pss_mib": r.peak_pss_mib}
            for r in results
        ]
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
