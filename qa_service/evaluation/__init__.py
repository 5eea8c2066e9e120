"""The evaluation harness: gold questions, judgements, metrics and reports."""
from .gold import GoldRecord, load_gold
from .harness import EvalReport, run_evaluation
from .metrics import check_thresholds

__all__ = ["EvalReport", "GoldRecord", "check_thresholds", "load_gold", "run_evaluation"]
