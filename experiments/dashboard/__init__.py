"""The teaching dashboard: a Mesa SolaraViz page on a scenario's territories.

What a class sees: sliders for the policy levers and a few main parameters (derived from the
declarations in :mod:`cohesim.model.parameters`, with the scenario's values as starting points), a
map of territories coloured by strategy with the cooperation structures drawn between their
members, live plots of cooperation, cohesion, public money and structures by kind, the inventory of
structures and a table of territories; labels in French or English. Step, play/pause, speed and
reset are SolaraViz's own controls.

Laid out as a Mesa example app:

- :mod:`.app`: the page solara serves (``solara run cohesim.experiments.dashboard.app``);
- :mod:`.model`: the model a dashboard shows, a scenario with the sliders' values applied;
- :mod:`.sliders`: the sliders, derived from the parameter declarations;
- :mod:`.components`: the cards of the page (map, plots, tables, status);
- :mod:`.figures` and :mod:`.tables`: what the cards draw, plain matplotlib and pandas;
- :mod:`.text`: the labels, in French and English;
- :mod:`.server`: ``cohesim dashboard`` starts ``solara run`` on :mod:`.app`;
- :mod:`.assets`: the front-end files, installed locally so that a classroom works offline.

Importing this package imports none of them (the command line imports only :mod:`.server`).
"""
