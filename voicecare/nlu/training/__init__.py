"""Training the understanding model: its data, the fit, and the choice of how it joins the rules.

Needs the ``train`` extra (scikit-learn); nothing here is imported at run time.
"""
