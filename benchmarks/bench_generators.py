"""Time the original generators beside pysite on the corpus sites as they stand: Jekyll on
jekyll/fastpages and Hexo on hexo/hexojs-site, in one run.

Each source is copied to a temporary folder, and every build is cold (the output and the
tools' caches removed first). pysite: `pysite build`. Jekyll: Debian's `jekyll build` with the
gems installed here; the plugins _config.yml names that are not installed are left out of the
copy, the Liquid tags that only they define become empty tags (a _plugins/ file in the copy),
a kramdown `math_engine` gem that is missing gives way to kramdown's default, the Gemfile is set
aside (Bundler would stop on the missing gems), and the script says each of these.
Hexo: hexo-cli and the site's package.json dependencies installed with npm into the copy (never
into the repository), then `hexo clean` and `hexo generate`. Prints the median of --runs builds
of each, and pysite's time as a ratio of the generator's.
Usage: .venv/bin/python benchmarks/bench_generators.py [--runs 3] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SITES = {"jekyll": "jekyll/fastpages/source", "hexo": "hexo/hexojs-site/source"}
STUB = """# Written by benchmarks/bench_generators.py: the tags of plugins not installed here render nothing.
class PysiteBenchStub < Liquid::Tag
  def render(_context)
    ""
  end
end
%w[{names}].each {{ |name| Liquid::Template.register_tag(name, PysiteBenchStub) }}
"""


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def timed(command: list[str], cwd: Path, fresh, runs: int, env: dict | None = None, check: bool = True) -> float:
    """Median wall time of `runs` cold builds; RuntimeError with the tool's message when one
    fails (unless not `check`)."""
    times = []
    for _ in range(runs):
        fresh()
        start = time.perf_counter()
        result = run(command, cwd, env)
        times.append(time.perf_counter() - start)
        if result.returncode != 0 and check:
            raise RuntimeError(f"{' '.join(command)} failed:\n{(result.stdout + result.stderr)[-1500:]}")
    return statistics.median(times)


def pysite_time(site: Path, runs: int) -> float:
    out = site.parent / f"{site.name}-pysite"

    def fresh() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".pysite", ignore_errors=True)
    # A page that fails does not stop the others: the build is timed whole either way
    return timed([sys.executable, "-m", "pysite", "build", str(site), "-o", str(out), "-q"], site, fresh, runs,
                 check=False)


def installed_gems() -> set[str]:
    if shutil.which("gem") is None:
        return set()
    result = subprocess.run(["gem", "list", "--local", "--no-versions"], capture_output=True, text=True)
    return set(result.stdout.split())


def prepare_jekyll(site: Path) -> list[str]:
    """Leave out what is not installed here; the list of what was left out."""
    notes = []
    for name in ("Gemfile", "Gemfile.lock"):
        if (site / name).exists():
            (site / name).rename(site / f"{name}.set-aside")
    config_path = site / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    gems = installed_gems()
    for key in ("plugins", "gems"):
        wanted = config.get(key) or []
        missing = [name for name in wanted if name not in gems]
        if missing:
            config[key] = [name for name in wanted if name in gems]
            notes.append(f"plugins not installed, left out: {', '.join(missing)}")
    theme = config.get("theme")
    if theme and theme not in gems:
        config.pop("theme")
        notes.append(f"theme gem `{theme}` not installed, left out")
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return notes


def jekyll_time(site: Path, runs: int) -> tuple[float | None, list[str]]:
    notes = prepare_jekyll(site)
    out = site.parent / f"{site.name}-jekyll"
    stubs: list[str] = []
    command = ["jekyll", "build", "--quiet", "-s", str(site), "-d", str(out)]
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true"}
    for _ in range(20):  # each try names one more tag that only a missing plugin defines
        result = run(command, site, env)
        said = result.stdout + result.stderr
        unknown = re.search(r"Unknown tag '([\w-]+)'", said)
        math = re.search(r"don't have (kramdown-math-[\w-]+)", said)
        if result.returncode == 0 or (unknown is None and math is None):
            break
        if math is not None:  # kramdown's `math_engine` gem: kramdown's default engine instead
            config = yaml.safe_load((site / "_config.yml").read_text(encoding="utf-8"))
            config.get("kramdown", {}).pop("math_engine", None)
            (site / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
            notes.append(f"{math[1]} not installed: kramdown's own math engine instead")
            continue
        stubs.append(unknown[1])
        (site / "_plugins").mkdir(exist_ok=True)
        (site / "_plugins" / "pysite_bench_stubs.rb").write_text(STUB.format(names=" ".join(stubs)), encoding="utf-8")
    if stubs:
        notes.append(f"tags of those plugins rendered as nothing: {', '.join(stubs)}")
    if result.returncode != 0:
        notes.append("jekyll cannot build it here: " + (result.stdout + result.stderr).strip().splitlines()[0][:300])
        return None, notes

    def fresh() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".jekyll-cache", ignore_errors=True)
    return timed(command, site, fresh, runs, env), notes


def npm_install(site: Path) -> tuple[bool, list[str]]:
    """hexo-cli and the site's dependencies; a version range the registry cannot meet is set to
    the newest version it has, and said."""
    notes = []
    package_path = site / "package.json"
    for _ in range(10):
        install = run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=dev",
                       "--no-save", "hexo-cli"], site)
        if install.returncode == 0:
            return True, notes
        unmet = re.search(r"No matching version found for (@?[^@\s]+)@(\S+?)\.?\s", install.stderr)
        if unmet is None:
            break
        name, wanted = unmet[1], unmet[2]
        newest = run(["npm", "view", name, "version"], site).stdout.strip()
        package = json.loads(package_path.read_text(encoding="utf-8"))
        if not newest or name not in package.get("dependencies", {}):
            break
        package["dependencies"][name] = newest
        package_path.write_text(json.dumps(package, indent=2), encoding="utf-8")
        notes.append(f"{name}@{wanted} is not in the npm registry here: {newest} installed instead")
    return False, notes + ["npm install failed: " + (install.stdout + install.stderr).strip()[-300:]]


def hexo_time(site: Path, runs: int) -> tuple[float | None, list[str]]:
    installed, notes = npm_install(site)
    if not installed:
        return None, notes
    hexo = site / "node_modules" / ".bin" / "hexo"

    def fresh() -> None:
        run([str(hexo), "clean"], site)
    try:
        return timed([str(hexo), "generate"], site, fresh, runs), notes
    except RuntimeError as error:
        return None, notes + [f"hexo cannot build it here: {str(error)[-300:]}"]


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    generators = {"jekyll": jekyll_time, "hexo": hexo_time}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tool, relative in SITES.items():
            source = args.corpus / relative
            name = relative.split("/")[1]
            if not source.is_dir():
                print(f"{name}: no source at {source}, skipped")
                continue
            print(f"{name} ({load()})")
            theirs, notes = None, []
            if shutil.which("npm" if tool == "hexo" else tool) is None:
                notes = [f"{tool} is not installed (apt-get install {'npm' if tool == 'hexo' else tool}), not timed"]
            else:
                copy = Path(tmp) / f"{name}-{tool}"
                shutil.copytree(source, copy, symlinks=True)
                theirs, notes = generators[tool](copy, args.runs)
            for note in notes:
                print(f"  {tool}: {note}")
            mine_copy = Path(tmp) / f"{name}-for-pysite"
            shutil.copytree(source, mine_copy, symlinks=True)
            mine = pysite_time(mine_copy, args.runs)
            rows.append((name, tool, mine, theirs))
    print(f"\ncold builds, median of {args.runs} runs (a quiet machine has a load average under 1.5)")
    print(f"{'site':14} {'pysite':>9} {'generator':>18} {'pysite / generator':>19}")
    for name, tool, mine, theirs in rows:
        other = f"{tool} {theirs:.2f}s" if theirs is not None else f"{tool} -"
        ratio = f"{mine / theirs:.2f}x" if theirs else "-"
        print(f"{name:14} {mine:8.2f}s {other:>18} {ratio:>19}")


if __name__ == "__main__":
    main()
