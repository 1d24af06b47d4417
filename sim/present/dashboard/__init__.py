"""Policy-design workshop dashboard (``zonesim dashboard``): a Mesa SolaraViz app.

``sim.present.dashboard.app`` is the Solara app (needs the ``dashboard`` extra); ``sim.present.dashboard.controls``
turns lever Settings models into slider/switch/select specs; the figures it shows come from
``sim.present.charts``, shared with ``sim.present.report``.
"""
