"""Command line: ``extract --out DIR FILE...`` writes one <stem>.json per input (no database)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import ExtractionError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qcity", description="质量强市平台：规划文件抽取")
    sub = p.add_subparsers(dest="command")
    ex = sub.add_parser("extract", help="从规划文件中抽取目标、任务和责任单位，输出JSON")
    ex.add_argument("--out", required=True, help="输出目录（每个输入文件写一个 <文件名>.json）")
    ex.add_argument("files", nargs="+", help="输入文件：.txt .docx .pdf .html/.htm .xlsx")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.command != "extract":
        _parser().print_help()
        return 2
    from .api import extract_file

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for f in args.files:
        try:
            ex = extract_file(f)
        except ExtractionError as e:
            failed += 1
            print(f"错误：{f}：{e.message}", file=sys.stderr)
            continue
        except Exception as e:  # keep going with the other files
            failed += 1
            print(f"错误：{f}：处理时出现意外错误（{type(e).__name__}: {e}）", file=sys.stderr)
            continue
        target = out / (Path(f).stem + ".json")
        target.write_text(json.dumps(ex.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{f} → {target}：{len(ex.targets)} 个目标，{len(ex.tasks)} 项任务")
    if failed:
        print(f"共 {len(args.files)} 个文件，{failed} 个失败", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
