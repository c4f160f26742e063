"""The pure core: state machines with time passed in, no I/O and no sleeping."""
