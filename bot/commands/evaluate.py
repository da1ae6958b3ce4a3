"""`arxiv-bot evaluate`: measure the relevance filter on labeled records."""

from __future__ import annotations

import argparse
import json
import sys

from bot.config import load_config
from bot.environment import Environment


def main(args: argparse.Namespace, env: Environment) -> int:
    from bot.evaluate import evaluate, load_labeled
    from bot.relevance import compile_rules

    config = load_config(args.config)
    result = evaluate(load_labeled(args.labels), compile_rules(config.relevance))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(result.to_text() + "\n")
    return 0
