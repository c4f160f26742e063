"""Reports from the journal for the person and their GP or physiotherapist: HTML, PDF, and the spoken week.

``load`` opens the journal and builds a ``model.Report``; ``flags`` finds the signs a clinician
looks for; ``charts``, ``html``, ``pdf`` and ``spoken`` present the same numbers; ``simulate``
lives weeks of use through the real core for tests, benchmarks and the README's picture.
"""
