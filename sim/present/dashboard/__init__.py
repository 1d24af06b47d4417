"""Policy-design workshop dashboard (``zonesim dashboard``): a Mesa SolaraViz app.

``sim.present.dashboard.app`` is the Solara app (needs the ``dashboard`` extra); ``sim.present.dashboard.controls``
turns lever Settings models into slider/switch/select specs; ``sim.present.dashboard.charts`` holds the
matplotlib figures and tables shared with ``sim.present.report`` (no solara needed).
"""
