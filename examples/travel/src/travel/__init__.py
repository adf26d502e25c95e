"""Travel booking, built on orderflow: a second, complete app beside the bundled order one.

A trip books a flight, one hotel per city (a Map) and maybe a rental car (a Choice), in
parallel, charges the card and e-mails the itinerary; a failure undoes every booking. The
app object is :data:`travel.app.app`; the workflow is :data:`travel.workflow.trip_workflow`.
Modules: ``trip`` (the request, ``validate-trip``), ``flights``, ``hotels``, ``cars``
(reservations and their cancellations), ``payments`` (``price-trip``, ``charge-card``),
``itinerary`` (``send-itinerary``), ``data`` (sample inventory and trips).
"""

__all__: list[str] = []
