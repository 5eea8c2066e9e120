"""``python -m qa_service.cli``."""
import sys

from .main import main

sys.exit(main())
