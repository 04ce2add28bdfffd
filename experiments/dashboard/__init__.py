"""The teaching dashboard: a solara page, laid out as Mesa's SolaraViz, on a scenario's territories.

What a class sees: sliders for the policy levers and a few main parameters (derived from the
declarations in :mod:`cohesim.model.parameters`, with the scenario's values as starting points), a
map of territories coloured by strategy with the cooperation structures drawn between their
members, live plots of cooperation, cohesion, public money and structures by kind, the inventory of
structures, a table of territories and of finished runs; every word in French or English,
the run controls included (SolaraViz's own speak only English and lost slider moves).

Laid out as a Mesa example app:

- :mod:`.app`: the page solara serves (``solara run cohesim.experiments.dashboard.app``);
- :mod:`.model`: the model a dashboard shows, a scenario with the sliders' values applied;
- :mod:`.session`: what one browser session holds (sliders, model, previous and finished runs);
- :mod:`.controls`: the run controls and the lever inputs;
- :mod:`.sliders`: the inputs, derived from the parameter declarations;
- :mod:`.components`: the cards of the page (map, plots, tables, status, finished runs);
- :mod:`.figures`, :mod:`.tables` and :mod:`.history`: what the cards draw, plain matplotlib and
  pandas; :mod:`.live`: the year-by-year redraw of only what changed;
- :mod:`.text`: the labels, in French and English;
- :mod:`.server`: ``cohesim dashboard`` starts ``solara run`` on :mod:`.app`;
- :mod:`.assets`: the front-end files, installed locally so that a classroom works offline.

Importing this package imports none of them (the command line imports only :mod:`.server`).
"""
