"""The local executor: runs ASL documents in-process, the way AWS Step Functions does.

Most users call :func:`orderflow.testing.run_asl`; this package holds the machinery and a
few objects for finer control (clocks, the compiled plan, the execution object).
"""

from orderflow.executor._clock import Clock, RealClock, VirtualClock
from orderflow.executor._execution import Execution, start_execution
from orderflow.executor._lambda import LambdaFunctionError
from orderflow.executor._plan import compile_machine

__all__ = [
    "Clock",
    "Execution",
    "LambdaFunctionError",
    "RealClock",
    "VirtualClock",
    "compile_machine",
    "start_execution",
]
