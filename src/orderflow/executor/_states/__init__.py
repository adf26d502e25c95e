"""One module per kind of state; :mod:`orderflow.executor._plan` maps ``Type`` to class."""
