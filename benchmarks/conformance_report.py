"""Print the executor's conformance pass counts by category (``-v`` lists failures).

Reads ``../shared/conformance/executions`` next to the repository; see
:mod:`orderflow.executor._conformance`.
"""

import sys

from orderflow.executor._conformance import main

if __name__ == "__main__":
    sys.exit(main())
