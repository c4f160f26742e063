"""What the tests and benchmarks are made of, kept out of the installed assistant (the wheel
leaves this package out): synthetic speakers, babble and noise (``voices``)."""
