"""One lock around matplotlib's process-wide settings.

``matplotlib.rc_context`` changes the global ``rcParams`` and puts back, on exit, what it
found on entry. Two threads inside it at once (the web server draws forest plots for
concurrent requests while a job draws the report) put back each other's values and can
leave, say, ``font.family`` changed for every later figure: the same review then gave other
figure bytes from the web app than from ``evidens run``. Every evidens figure is built and
saved holding :data:`DRAWING` (reentrant: a figure drawn inside another's build is fine).
"""

from __future__ import annotations

import threading

DRAWING = threading.RLock()
