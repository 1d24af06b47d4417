"""Policy-design workshop dashboard (``zonesim dashboard``): a Mesa SolaraViz app.

``sim.dashboard.app`` is the Solara app (needs the ``dashboard`` extra); ``sim.dashboard.controls``
turns lever Settings models into slider/switch/select specs; ``sim.dashboard.charts`` holds the
matplotlib figures and tables shared with ``sim.report`` (no solara needed).
"""
