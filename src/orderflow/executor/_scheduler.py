"""Simulated concurrency: Parallel branches and Map iterations as a discrete-event simulation.

On AWS every branch of a Parallel starts at once, and a Map runs up to ``MaxConcurrency``
iterations side by side. Locally each branch or iteration is a *unit*: a coroutine (a
greenlet) that runs the branch's states in this process. One scheduler per execution
decides which unit runs next, always the one due first on the virtual clock, so the units
advance interleaved in simulated-time order:

* a unit runs without interruption until it sleeps on the clock (a Wait, a retry
  back-off, a task timeout, a handler that simulates a slow call) or ends; everything
  else (a Task invocation included) takes no simulated time;
* the next unit is the one due earliest; among units due at the same instant the lower
  branch (or item) index goes first, compared from the outermost Parallel or Map inward,
  so a run depends only on its inputs and seed, never on wall-clock time or scheduling;
* the first unit to fail (earliest in simulated time) *stops* its group at that instant:
  the group's other running units unwind at once, cut short in their Wait or back-off,
  and none of them enters another state. A Task a unit has already entered completes (its
  side effects happen, as on AWS, where a Lambda function already invoked keeps running)
  and its result is discarded. Stopping cascades into nested Parallel and Map states.
  Every unit started with its group enters its first state, even if a sibling failed at
  that same instant: on AWS they all start together;
* a Map iteration waits for a free slot: a new one starts, in item order, when a running
  one ends (see :func:`~orderflow.executor._timeline.map_slots` for the slot count).

Units run one at a time (greenlets, not threads), so the executor's state needs no locks.
Only the :class:`~orderflow.executor.VirtualClock` is driven by the scheduler: with any
other clock, sleeps really happen where they are called, one unit at a time.
"""

from __future__ import annotations

import contextlib
import heapq
import sys
from collections.abc import Callable
from datetime import datetime, timedelta

from greenlet import getcurrent, greenlet

from orderflow.executor._clock import Clock, VirtualClock

_LAST = (sys.maxsize,)
"""A rank after every unit's: for a unit that lets all others due at the instant go first."""


class Stopped(BaseException):
    """Raised inside a unit whose group was stopped (a sibling failed first).

    A ``BaseException``, so that no state's error handling (``Retry``, ``Catch``, a
    handler's ``except Exception``) takes it for a failure of its own.
    """


Body = Callable[[int, "Unit | None"], bool]
"""``body(index, unit)`` runs unit ``index``; it returns ``True`` when the group must stop
(a failure nothing tolerates). ``unit`` is ``None`` when the group runs inline (one unit
at a time, no scheduler active), where nothing can interleave."""


class Unit:
    """One branch or iteration being simulated.

    Attributes:
        index: the branch or item index in its group.
        stopped: whether its group stopped it; it enters no further state.
    """

    __slots__ = ("_glet", "_group", "_key", "_rank", "_waiting", "index", "stopped")

    def __init__(self, group: _Group, index: int) -> None:
        self._group = group
        self.index = index
        self.stopped = False
        self._key = 0
        # Ties at one instant go to the lower index, outermost group first.
        self._rank = (*group.rank, index)
        # The nested group this unit waits for (it runs a Parallel or Map state).
        self._waiting: _Group | None = None
        self._glet: greenlet | None = None

    def __repr__(self) -> str:
        return f"Unit(index={self.index}, stopped={self.stopped})"


class _Group:
    """The units of one Parallel or Map state run, and who waits for them."""

    __slots__ = (
        "body",
        "cancelled",
        "count",
        "done",
        "fatal",
        "next_index",
        "owner",
        "rank",
        "running",
        "slots",
        "stopped",
    )

    def __init__(self, body: Body, count: int, slots: int, owner: Unit | None) -> None:
        self.body = body
        self.owner = owner
        self.rank: tuple[int, ...] = owner._rank if owner is not None else ()
        self.count = count
        self.slots = slots
        self.next_index = 0
        # Insertion order is start order, which is index order.
        self.running: dict[int, Unit] = {}
        self.stopped = False
        self.done = False
        self.fatal: BaseException | None = None
        # Stopped from outside (its owner was stopped), not by a failure of its own.
        self.cancelled = False


class Scheduler:
    """Runs groups of units on one execution's clock (one scheduler per execution).

    It is idle until a Parallel or Map state runs :meth:`run`; that outermost call drives
    the simulation until its group is done, nested calls join it.
    """

    __slots__ = (
        "_clock",
        "_driven",
        "_driver_glet",
        "_heap",
        "_idle",
        "_previous_driver",
        "_seq",
        "_top",
        "current",
    )

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, tuple[int, ...], int, Unit]] = []
        self._seq = 0
        # The greenlet that called the outermost run(); it returns once that group is done.
        self._driver_glet: greenlet | None = None
        self._top: _Group | None = None
        # Greenlets waiting to take over the event loop when the one running it suspends.
        self._idle: list[greenlet] = []
        self._clock: Clock | None = None
        self._driven: VirtualClock | None = None
        self._previous_driver: Callable[[float], bool] | None = None
        self.current: Unit | None = None
        """The unit running now (``None`` outside any group)."""

    @property
    def active(self) -> bool:
        """Whether a simulation is running (some Parallel or Map state is in progress)."""
        return self._top is not None

    # --- running a group ---------------------------------------------------------------

    def run(
        self,
        clock: Clock,
        count: int,
        slots: int | None,
        body: Body,
        *,
        never_sleeps: bool = False,
    ) -> None:
        """Run units ``0 .. count-1``, at most ``slots`` at once; return when all are done.

        The caller (a Parallel or Map state) learns the outcome through ``body``; on
        return the clock stands where the group ended: the latest unit's end, or the
        moment the group was stopped. ``never_sleeps`` says that no unit can let time
        pass (only Pass, Choice, Succeed and Fail states), so the simulation reduces to
        running them in index order.

        Raises:
            BaseException: whatever a unit raised that is not a state failure (an
                execution timeout, an abort, a missing handler), once the other units
                have unwound; or :class:`Stopped` when the unit running this state was
                itself stopped meanwhile.
        """
        if count <= 0:
            return
        slots = count if slots is None else max(1, min(slots, count))
        if self._top is None and slots == 1:
            # Nothing can overlap: run the units one after another, without coroutines.
            for index in range(count):
                if body(index, None):
                    return
            return
        if never_sleeps:
            owner = self.current
            if owner is not None and owner.stopped:
                self._stop_instant(-1, slots, body)
                raise Stopped
            self._run_instant(count, slots, body)
            return
        group = _Group(body, count, slots, self.current)
        if self._top is None:
            self._drive(clock, group)
        else:
            self._join(group)
        if group.fatal is not None:
            raise group.fatal

    def _run_instant(self, count: int, slots: int, body: Body) -> None:
        """Units that take no simulated time, as the event loop would run them.

        All of them run at this instant, each to its end, in index order (new ones start
        as earlier ones end, still in index order). When one fails, the ones already
        started with it (``slots`` were started at once, one more as each ended) still
        enter their first state, stopped; later ones never start.
        """
        for index in range(count):
            try:
                if not body(index, None):
                    continue
            except BaseException:
                self._stop_instant(index, min(count, index + slots), body)
                raise
            self._stop_instant(index, min(count, index + slots), body)
            return

    def _stop_instant(self, failed: int, started: int, body: Body) -> None:
        group = _Group(body, started, started, self.current)
        group.stopped = True
        for index in range(failed + 1, started):
            unit = Unit(group, index)
            unit.stopped = True
            with contextlib.suppress(Stopped):
                body(index, unit)

    def _drive(self, clock: Clock, group: _Group) -> None:
        """The outermost group: run the event loop until ``group`` is done."""
        self._driver_glet = getcurrent()
        self._top = group
        self._clock = clock
        if isinstance(clock, VirtualClock):
            self._driven = clock
            self._previous_driver = clock._driver
            clock._driver = self._sleep
        try:
            self._fill(group)
            self._loop()
        finally:
            if self._driven is not None:
                self._driven._driver = self._previous_driver
            self._driven = self._previous_driver = None
            self._driver_glet = self._top = self._clock = None
            self.current = None
            self._heap.clear()
            self._end_runners()

    def _end_runners(self) -> None:
        """End the greenlets left idle: each unwinds its loop and returns here."""
        here = getcurrent()
        idle, self._idle = self._idle, []
        for runner in idle:
            if runner is not here and not runner.dead:
                runner.parent = here
                runner.throw()

    def _loop(self) -> None:
        """The event loop: run the unit due first until the outermost group is done.

        Whichever greenlet runs the loop runs a unit that has not started yet itself, on
        its own stack, so a unit that never sleeps costs no switch at all. When a unit
        sleeps (see :meth:`_suspend`), its greenlet hands the loop to an idle runner or a
        new one and stays behind, suspended, until the loop resumes it.
        """
        heap = self._heap
        top = self._top
        assert top is not None
        # No local holds this greenlet or a unit across a switch: a suspended greenlet
        # whose frame refers to itself is never garbage-collected.
        while not top.done:
            if not heap:
                raise RuntimeError("orderflow scheduler: units wait with nothing to run")
            when, _, key, unit = heapq.heappop(heap)
            if key != unit._key:
                continue  # superseded: the unit was rescheduled (stopped early)
            self._move(when)
            self.current = unit
            if unit._glet is None:
                unit._glet = getcurrent()
                self._run_unit(unit)
                unit._glet = None
            else:
                # Resume the unit where it slept; this greenlet waits, idle, to be handed
                # the loop again.
                self._idle.append(getcurrent())
                unit._glet.switch()
            del unit
        if getcurrent() is not self._driver_glet:
            # The outermost group is done: let the greenlet that started it return (this
            # one is ended then, with the other idle ones).
            self._idle.append(getcurrent())
            driver = self._driver_glet
            assert driver is not None
            driver.switch()

    def _suspend(self) -> None:
        """Suspend the current unit (it is in the heap or waits for a group): hand the
        event loop to another greenlet; return when the loop resumes this unit."""
        idle = self._idle
        runner = idle.pop() if idle else greenlet(self._loop)
        runner.switch()

    def _join(self, group: _Group) -> None:
        """A group started inside a unit: the unit waits until the group is done."""
        owner = self.current
        if owner is None:
            raise RuntimeError("orderflow scheduler: a nested group outside any unit")
        owner._waiting = group
        self._fill(group)
        if owner.stopped:
            # A stopped unit's state still runs (it had been entered); what it starts
            # starts stopped: its units enter their first state and stop.
            group.stopped = group.cancelled = True
            for unit in group.running.values():
                unit.stopped = True
        self._suspend()  # resumed when the group is done (see _run_unit)
        owner._waiting = None
        if group.cancelled and group.fatal is None:
            raise Stopped

    def _fill(self, group: _Group) -> None:
        """Start units while slots are free (new units are due now, in index order)."""
        if group.stopped:
            return
        running = group.running
        first = group.next_index
        end = min(group.count, first + group.slots - len(running))
        if first >= end:
            return
        group.next_index = end
        now = self._now()
        heap = self._heap
        seq = self._seq
        for index in range(first, end):
            unit = running[index] = Unit(group, index)
            seq += 1
            unit._key = seq
            heapq.heappush(heap, (now, unit._rank, seq, unit))
        self._seq = seq

    def _run_unit(self, unit: Unit) -> None:
        group = unit._group
        stop = False
        try:
            stop = group.body(unit.index, unit)
        except Stopped:
            pass
        except BaseException as exc:  # handed to whoever waits for the group
            if group.fatal is None:
                group.fatal = exc
            stop = True
        del group.running[unit.index]
        if stop and not group.stopped:
            self._stop_group(group)
        self._fill(group)
        if not group.running:
            group.done = True
            if group.owner is not None:
                self._push(group.owner, self._now())

    # --- stopping ----------------------------------------------------------------------

    def _stop_group(self, group: _Group, *, cancel: bool = False) -> None:
        group.stopped = True
        group.cancelled = group.cancelled or cancel
        now = self._now()
        for unit in list(group.running.values()):
            self._stop_unit(unit, now)

    def _stop_unit(self, unit: Unit, now: datetime) -> None:
        if unit.stopped:
            return
        unit.stopped = True
        if unit._waiting is not None:
            # It resumes (and raises Stopped) once its own units have unwound.
            self._stop_group(unit._waiting, cancel=True)
        elif unit is not self.current:
            self._push(unit, now)  # unwind now rather than at its wake-up time

    # --- time --------------------------------------------------------------------------

    def defer(self) -> None:
        """Let every other unit due by now run first (before blocking on a task token)."""
        unit = self.current
        if unit is None or getcurrent() is not unit._glet:
            return
        heap = self._heap
        now = self._now()
        if heap and heap[0][0] <= now:
            self._seq += 1
            unit._key = self._seq
            heapq.heappush(heap, (now, _LAST, self._seq, unit))
            self._suspend()

    def _sleep(self, seconds: float) -> bool:
        """The driven clock's ``sleep``: let the units due before the wake-up run first."""
        unit = self.current
        if unit is None or seconds <= 0 or getcurrent() is not unit._glet:
            # Not a unit's own sleep: the main flow's, or another thread moving the clock
            # (a caller advancing time while the execution waits for a task token).
            return False
        if unit.stopped:
            raise Stopped
        clock = self._driven
        assert clock is not None
        wake = clock.now() + timedelta(seconds=seconds)
        heap = self._heap
        if heap and heap[0][:2] < (wake, unit._rank):
            self._push(unit, wake)
            self._suspend()
            if unit.stopped:
                raise Stopped
        else:
            clock.set(wake)
        return True

    def _push(self, unit: Unit, when: datetime) -> None:
        self._seq += 1
        unit._key = self._seq
        heapq.heappush(self._heap, (when, unit._rank, self._seq, unit))

    def _now(self) -> datetime:
        assert self._clock is not None
        return self._clock.now()

    def _move(self, when: datetime) -> None:
        clock = self._clock
        driven = self._driven
        if clock is driven and driven is not None:
            # Never backwards: a caller may have moved the clock on while a unit waited
            # for a task token; units due earlier then resume at that later time.
            if when > driven.now():
                driven.set(when)
            return
        assert clock is not None
        # A clock that cannot be set only moves forward, by really waiting.
        delay = (when - clock.now()).total_seconds()
        if delay > 0:
            clock.sleep(delay)


__all__ = ["Body", "Scheduler", "Stopped", "Unit"]
